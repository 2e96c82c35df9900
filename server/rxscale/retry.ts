import "server-only";

/*
 * Back-off for the Management API client. RxScale asks clients that hit its
 * rate limit to back off exponentially (docs/rxscale.md#rate-limits); a Retry-After header,
 * when present, is the floor.
 */

export interface RetryPolicy {
  /** Ceiling of the first retry's delay; it doubles per retry. */
  baseMs: number;
  /** No computed delay exceeds this. */
  maxMs: number;
}

/**
 * Delay before retry number `retry` (0 for the first retry): "equal jitter",
 * i.e. half of base·2^retry fixed and half random, capped at maxMs. With a
 * Retry-After of `retryAfterMs`, at least that plus up to 250 ms of jitter, so
 * clients told the same second do not all return at once.
 */
export function retryDelayMs(retry: number, policy: RetryPolicy, retryAfterMs: number | null, random: () => number = Math.random): number {
  const fraction = Math.min(Math.max(random(), 0), 1);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry));
  const backoff = Math.round(ceiling / 2 + (ceiling / 2) * fraction);
  if (retryAfterMs === null) return backoff;
  return retryAfterMs + Math.round(250 * fraction);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
