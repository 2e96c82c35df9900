import "server-only";
import { processSingleton } from "@/server/core/process-slot";

/*
 * One budget for every Management API call this process makes: RxScale allows
 * 10 requests per second and 600 per minute per key (docs/rxscale.md#rate-limits).
 * Callers wait for a slot instead of spending retries on 429s; a 429 that still
 * comes (another process using the same key) pauses every caller.
 */

export const RXSCALE_REQUESTS_PER_SECOND = 10;
export const RXSCALE_REQUESTS_PER_MINUTE = 600;
/**
 * Each window is counted this much longer than RxScale's: a request reaches
 * RxScale some milliseconds after it leaves, and uneven delays otherwise put
 * 11 requests into one of RxScale's seconds (seen as 7 429s in a burst of 25).
 */
export const WINDOW_MARGIN_MS = 100;

export interface RequestBudgetOptions {
  perSecond?: number;
  perMinute?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestBudget {
  /** Resolves when one more request fits both windows; the request counts from then. */
  take(): Promise<void>;
  /** After a 429: nobody sends for `ms`. */
  pause(ms: number): void;
  /** Requests sent in the last minute (for progress and tests). */
  readonly sentLastMinute: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRequestBudget(options: RequestBudgetOptions = {}): RequestBudget {
  const perSecond = options.perSecond ?? RXSCALE_REQUESTS_PER_SECOND;
  const perMinute = options.perMinute ?? RXSCALE_REQUESTS_PER_MINUTE;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const sent: number[] = [];
  let pausedUntil = 0;
  // Callers queue so slots go out in call order and two callers never take the same one.
  let queue: Promise<void> = Promise.resolve();

  const forget = (at: number) => {
    while (sent.length > 0 && (sent[0] ?? at) <= at - 60_000 - WINDOW_MARGIN_MS) sent.shift();
  };

  /** Milliseconds until a request may go out; 0 when it may go now. */
  const waitMs = (at: number): number => {
    forget(at);
    let wait = Math.max(0, pausedUntil - at);
    if (sent.length >= perMinute) wait = Math.max(wait, (sent[sent.length - perMinute] ?? at) + 60_000 + WINDOW_MARGIN_MS - at);
    const inLastSecond = sent.filter((time) => time > at - 1_000 - WINDOW_MARGIN_MS);
    if (inLastSecond.length >= perSecond) wait = Math.max(wait, (inLastSecond[inLastSecond.length - perSecond] ?? at) + 1_000 + WINDOW_MARGIN_MS - at);
    return wait;
  };

  const takeSlot = async (): Promise<void> => {
    for (let wait = waitMs(now()); wait > 0; wait = waitMs(now())) await sleep(wait);
    sent.push(now());
  };

  return {
    take() {
      const slot = queue.then(takeSlot);
      queue = slot.catch(() => undefined);
      return slot;
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
    get sentLastMinute() {
      forget(now());
      return sent.length;
    },
  };
}

/** The budget every RxScale client in this process shares unless a test gives its own. */
export function sharedRequestBudget(): RequestBudget {
  return processSingleton("rxwatchRxScaleBudget", () => createRequestBudget());
}
