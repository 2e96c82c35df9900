import { describe, expect, it } from "vitest";
import { medianInterval } from "./median-interval.mjs";

const ranks = (n: number) => Array.from({ length: n }, (_, index) => index + 1);

describe("medianInterval", () => {
  it("gives the ranks of the published 95 % tables for the median", () => {
    // Conover's table (and any binomial table): n = 6 → 1st–6th, 10 → 2nd–9th, 20 → 6th–15th, 24 → 7th–18th.
    expect(medianInterval(ranks(6))).toMatchObject({ low: 1, high: 6 });
    expect(medianInterval(ranks(10))).toMatchObject({ low: 2, high: 9 });
    expect(medianInterval(ranks(20))).toMatchObject({ low: 6, high: 15 });
    expect(medianInterval(ranks(24))).toMatchObject({ low: 7, high: 18 });
  });

  it("matches a published worked example", () => {
    // Altman et al., Statistics with Confidence (2000), section 5: eleven values, 95 % interval from the 2nd to the 10th.
    const values = [66, 71.2, 83, 83.6, 101, 107.6, 122, 143, 160, 177, 414];
    expect(medianInterval(values)).toMatchObject({ low: 71.2, high: 177 });
  });

  it("reports the interval's actual coverage, at least the confidence asked", () => {
    // n = 10, 2nd–9th: 1 − 2 × P(B ≤ 1) = 1 − 2 × 11/1024.
    expect(medianInterval(ranks(10))?.coverage).toBeCloseTo(1 - 22 / 1024, 10);
    expect(medianInterval(ranks(24))?.coverage).toBeGreaterThanOrEqual(0.95);
  });

  it("has no 95 % interval below six values", () => {
    expect(medianInterval(ranks(5))).toBeNull();
    expect(medianInterval([])).toBeNull();
    expect(medianInterval(ranks(5), 0.9)).toMatchObject({ low: 1, high: 5 });
  });

  it("sorts the values itself and does not change them", () => {
    const values = [0.9, 0.7, 0.8, 1.1, 0.6, 0.75, 0.85, 0.95, 0.65, 1.0];
    const before = [...values];
    expect(medianInterval(values)).toMatchObject({ low: 0.65, high: 1.0 });
    expect(values).toEqual(before);
  });

  it("stays finite for thousands of rounds", () => {
    const interval = medianInterval(ranks(5000));
    expect(interval?.low).toBeGreaterThan(2400);
    expect(interval?.high).toBeLessThan(2600);
  });
});
