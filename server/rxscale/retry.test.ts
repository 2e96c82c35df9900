import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryDelayMs } from "./retry";

const policy = { baseMs: 500, maxMs: 8_000 };

describe("retryDelayMs", () => {
  it("doubles per retry with equal jitter: between half and all of base·2^retry", () => {
    expect([0, 1, 2, 3].map((retry) => retryDelayMs(retry, policy, null, () => 0))).toEqual([250, 500, 1_000, 2_000]);
    expect([0, 1, 2, 3].map((retry) => retryDelayMs(retry, policy, null, () => 1))).toEqual([500, 1_000, 2_000, 4_000]);
  });

  it("never exceeds the maximum", () => {
    expect(retryDelayMs(20, policy, null, () => 1)).toBe(8_000);
  });

  it("waits at least as long as Retry-After says, plus a little jitter", () => {
    expect(retryDelayMs(0, policy, 1_000, () => 0)).toBe(1_000);
    expect(retryDelayMs(0, policy, 1_000, () => 1)).toBe(1_250);
    expect(retryDelayMs(3, policy, 0, () => 0.5)).toBe(125);
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates, and ignores garbage", () => {
    expect(parseRetryAfter("2")).toBe(2_000);
    expect(parseRetryAfter(" 0 ")).toBe(0);
    const now = Date.parse("2026-11-28T12:00:00Z");
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});
