/*
 * RxScale's Management API limits (docs/rxscale.md#rate-limits): 10 requests per second and
 * 600 per minute, per API key. A sliding window over the times of admitted
 * requests: a refused request does not count, so a client that backs off as
 * told gets through as soon as the window allows.
 */

export interface RateLimits {
  perSecond: number;
  perMinute: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;

export class RateLimiter {
  private readonly admitted = new Map<string, number[]>();

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admits and records one request for `key`, or says how many whole seconds to wait (at least 1). */
  check(key: string): RateDecision {
    const now = this.now();
    const times = (this.admitted.get(key) ?? []).filter((time) => time > now - MINUTE_MS);
    const inLastSecond = times.filter((time) => time > now - SECOND_MS);
    const waits: number[] = [];
    if (inLastSecond.length >= this.limits.perSecond) waits.push((inLastSecond[inLastSecond.length - this.limits.perSecond] ?? now) + SECOND_MS - now);
    if (times.length >= this.limits.perMinute) waits.push((times[times.length - this.limits.perMinute] ?? now) + MINUTE_MS - now);
    if (waits.length > 0) {
      this.admitted.set(key, times);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) };
    }
    times.push(now);
    this.admitted.set(key, times);
    return { allowed: true };
  }
}
