import "server-only";
import type { ThrottleState } from "@/server/repositories/sign-in-throttle";

export type { ThrottleState };

/** How failed sign-ins for one email turn into locks. */
export interface LockoutPolicy {
  /** Failures (without a quiet window between them) that lock the email. */
  threshold: number;
  /** The first lock's length; every further failure after a lock doubles it… */
  baseSeconds: number;
  /** …up to this. */
  maxSeconds: number;
  /** Failures are forgotten after this long without one, counted from the end of the last lock. */
  windowSeconds: number;
}


/** When the email may try again, or null when it is not locked at `now`. */
export function lockedUntil(state: ThrottleState | null, now: Date): Date | null {
  return state?.lockedUntil && state.lockedUntil > now ? state.lockedUntil : null;
}

/**
 * The state after one more failed sign-in at `now`. The threshold-th failure
 * locks for `baseSeconds`; each failure after that (attempts are refused
 * while locked, so these come after a lock ends) locks for twice as long as
 * the previous lock, capped at `maxSeconds`. A quiet window resets the count.
 */
export function afterFailure(state: ThrottleState | null, now: Date, policy: LockoutPolicy): ThrottleState & { isNewLock: boolean } {
  const quietSince = state ? Math.max(state.lastFailedAt.getTime(), state.lockedUntil?.getTime() ?? 0) : 0;
  const isFresh = !state || now.getTime() - quietSince > policy.windowSeconds * 1000;
  const failures = isFresh ? 1 : state.failures + 1;
  const firstFailedAt = isFresh ? now : state.firstFailedAt;
  if (failures < policy.threshold) return { failures, firstFailedAt, lastFailedAt: now, lockedUntil: isFresh ? null : state.lockedUntil, isNewLock: false };
  const seconds = Math.min(policy.baseSeconds * 2 ** Math.min(failures - policy.threshold, 30), policy.maxSeconds);
  return { failures, firstFailedAt, lastFailedAt: now, lockedUntil: new Date(now.getTime() + seconds * 1000), isNewLock: true };
}
