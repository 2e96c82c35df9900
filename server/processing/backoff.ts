import "server-only";

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay; each further failure doubles it. */
  baseMs: number;
  /** No delay ever exceeds this. */
  maxMs: number;
}

/**
 * Delay before the retry that follows failed attempt `attempt` (1-based):
 * exponential with full jitter, i.e. a uniform draw between 0 and
 * min(maxMs, baseMs·2^(attempt−1)).
 * Full jitter spreads the retries of events that failed together (say, while
 * the database was away) instead of sending them back in one wave.
 * `random` returns a number in [0, 1), like Math.random.
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2 ** exponent becomes Infinity for large attempts; Math.min still yields maxMs.
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling * fraction);
}
