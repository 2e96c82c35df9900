import { z } from "zod";

/*
 * Subscription health (docs/failures-and-alerts.md#subscription-health): what
 * RxScale lists compared with what RxWatch needs, and the volume baseline that
 * tells a normally busy event type gone quiet from a quiet hour. Pure, so both
 * rules are tested without a database or a clock.
 */

/**
 * What can be wrong with the subscription of an event type RxWatch needs:
 * - `missing`: RxScale lists no subscription of that type at all;
 * - `elsewhere`: there are subscriptions of that type, but none delivers to this RxWatch;
 * - `secret_unknown`: one delivers here, but RxWatch holds no signing secret for any of them.
 */
export const SUBSCRIPTION_PROBLEMS = ["missing", "elsewhere", "secret_unknown"] as const;
export const subscriptionProblemSchema = z.enum(SUBSCRIPTION_PROBLEMS);
export type SubscriptionProblem = z.infer<typeof subscriptionProblemSchema>;

export const subscriptionDifferenceSchema = z.object({
  problem: subscriptionProblemSchema,
  eventType: z.string(),
  /** The subscription to re-create (for `elsewhere` and `secret_unknown`); null when there is none. */
  subscriptionUid: z.string().nullable(),
});
export type SubscriptionDifference = z.infer<typeof subscriptionDifferenceSchema>;

export interface ListedSubscription {
  uid: string;
  eventType: string;
  target: string;
}

/** Compares targets as URLs, so `HTTPS://Host/path` and `https://host/path` are one target. */
export function isSameTarget(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/**
 * One difference per needed event type whose subscription is not as RxWatch
 * needs it, in the order of `neededTypes`. A type is fine when at least one
 * subscription of it delivers to `target` and RxWatch holds its secret.
 */
export function compareSubscriptions(input: {
  listed: readonly ListedSubscription[];
  neededTypes: readonly string[];
  target: string;
  /** Uids of the subscriptions RxWatch holds an active signing secret for. */
  secretHeldFor: ReadonlySet<string>;
}): SubscriptionDifference[] {
  const differences: SubscriptionDifference[] = [];
  for (const eventType of new Set(input.neededTypes)) {
    const ofType = input.listed.filter((subscription) => subscription.eventType === eventType);
    const toHere = ofType.filter((subscription) => isSameTarget(subscription.target, input.target));
    if (toHere.some((subscription) => input.secretHeldFor.has(subscription.uid))) continue;
    if (toHere[0]) differences.push({ problem: "secret_unknown", eventType, subscriptionUid: toHere[0].uid });
    else if (ofType[0]) differences.push({ problem: "elsewhere", eventType, subscriptionUid: ofType[0].uid });
    else differences.push({ problem: "missing", eventType, subscriptionUid: null });
  }
  return differences;
}

/** Weeks of history the volume baseline looks back over, one count per week for the same hour of the week. */
export const QUIET_BASELINE_WEEKS = 4;
/** A type counts as normally busy in an hour of the week only when every one of those weeks had at least this many events in it. */
export const QUIET_BASELINE_MIN_EVENTS = 5;
export const HOUR_MS = 60 * 60 * 1000;
export const WEEK_MS = 7 * 24 * HOUR_MS;

/** Events of one type in one hour; `hour` is whole hours since the epoch (UTC). */
export interface HourlyCount {
  eventType: string;
  hour: number;
  count: number;
}

/**
 * The last complete hour before `now`, and the same hour of the week in each
 * of the QUIET_BASELINE_WEEKS weeks before it (hours since the epoch).
 */
export function quietWindows(now: Date): { hour: number; baselineHours: number[] } {
  const hour = Math.floor(now.getTime() / HOUR_MS) - 1;
  return { hour, baselineHours: Array.from({ length: QUIET_BASELINE_WEEKS }, (_, week) => hour - (week + 1) * 7 * 24) };
}

export interface QuietType {
  eventType: string;
  /** Events in the same hour of the week in each baseline week, newest week first. */
  baseline: number[];
  /** Start of the quiet hour (UTC). */
  quietSince: Date;
}

/**
 * Types that were busy in this hour of the week in every baseline week (at
 * least QUIET_BASELINE_MIN_EVENTS each) and had no event in the last complete
 * hour nor since. A type without QUIET_BASELINE_WEEKS of history is never
 * judged: a missing week reads as zero and fails the minimum.
 */
export function findQuietTypes(counts: readonly HourlyCount[], now: Date): QuietType[] {
  const { hour, baselineHours } = quietWindows(now);
  const byType = new Map<string, Map<number, number>>();
  for (const row of counts) {
    const hours = byType.get(row.eventType) ?? new Map<number, number>();
    hours.set(row.hour, (hours.get(row.hour) ?? 0) + row.count);
    byType.set(row.eventType, hours);
  }
  const quiet: QuietType[] = [];
  for (const [eventType, hours] of [...byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const baseline = baselineHours.map((baselineHour) => hours.get(baselineHour) ?? 0);
    if (!baseline.every((count) => count >= QUIET_BASELINE_MIN_EVENTS)) continue;
    if ((hours.get(hour) ?? 0) > 0 || (hours.get(hour + 1) ?? 0) > 0) continue;
    quiet.push({ eventType, baseline, quietSince: new Date(hour * HOUR_MS) });
  }
  return quiet;
}
