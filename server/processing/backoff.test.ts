import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff";

const policy = { baseMs: 1_000, maxMs: 60_000 };
const almostOne = () => 0.999_999_999;

describe("retryDelayMs", () => {
  it("doubles the ceiling with every failed attempt", () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy, almostOne))).toEqual([999, 1_999, 3_999, 7_999]);
  });

  it("never exceeds the maximum, however many attempts failed", () => {
    expect(retryDelayMs(7, policy, almostOne)).toBe(59_999);
    expect(retryDelayMs(50, policy, almostOne)).toBe(59_999);
    expect(retryDelayMs(5_000, policy, almostOne)).toBe(59_999);
  });

  it("applies full jitter: the delay is the random fraction of the ceiling", () => {
    expect(retryDelayMs(3, policy, () => 0)).toBe(0);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(3, policy, () => 0.25)).toBe(1_000);
  });

  it("stays within [0, ceiling) for many random draws", () => {
    for (let attempt = 1; attempt <= 12; attempt += 1) {
      const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
      for (let draw = 0; draw < 200; draw += 1) {
        const delay = retryDelayMs(attempt, policy);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it("treats attempt numbers below 1 as the first attempt and clamps a misbehaving random source", () => {
    expect(retryDelayMs(0, policy, almostOne)).toBe(999);
    expect(retryDelayMs(-3, policy, almostOne)).toBe(999);
    expect(retryDelayMs(2, policy, () => 7)).toBe(2_000);
    expect(retryDelayMs(2, policy, () => -1)).toBe(0);
  });
});
