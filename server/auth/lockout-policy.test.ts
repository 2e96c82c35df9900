import { describe, expect, it } from "vitest";
import { afterFailure, lockedUntil, type LockoutPolicy, type ThrottleState } from "@/server/auth/lockout-policy";

const POLICY: LockoutPolicy = { threshold: 3, baseSeconds: 60, maxSeconds: 600, windowSeconds: 900 };
const T0 = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function fail(state: ThrottleState | null, seconds: number) {
  return afterFailure(state, at(seconds), POLICY);
}

describe("sign-in lockout policy", () => {
  it("does not lock before the threshold", () => {
    const second = fail(fail(null, 0), 1);
    expect(second).toMatchObject({ failures: 2, lockedUntil: null, isNewLock: false });
    expect(lockedUntil(second, at(2))).toBeNull();
  });

  it("locks at the threshold for the base period", () => {
    const third = fail(fail(fail(null, 0), 1), 2);
    expect(third.isNewLock).toBe(true);
    expect(third.lockedUntil).toEqual(at(62));
    expect(lockedUntil(third, at(61))).toEqual(at(62));
    expect(lockedUntil(third, at(62))).toBeNull();
  });

  it("doubles the lock for each failure after a lock, up to the maximum", () => {
    let state: ThrottleState = fail(fail(fail(null, 0), 1), 2);
    const lengths: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const next = fail(state, (state.lockedUntil?.getTime() ?? 0) / 1000 - T0.getTime() / 1000 + 1);
      lengths.push(((next.lockedUntil ?? T0).getTime() - next.lastFailedAt.getTime()) / 1000);
      state = next;
    }
    expect(lengths).toEqual([120, 240, 480, 600, 600, 600]);
  });

  it("forgets failures after a quiet window, counted from the end of the last lock", () => {
    const locked = fail(fail(fail(null, 0), 1), 2);
    expect(fail(locked, 62 + 900)).toMatchObject({ failures: 4, isNewLock: true });
    expect(fail(locked, 62 + 901)).toMatchObject({ failures: 1, lockedUntil: null, isNewLock: false });
    expect(fail(fail(null, 0), 901)).toMatchObject({ failures: 1 });
  });
});
