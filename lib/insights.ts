import { z } from "zod";
import { PROGRESS_STAGES } from "./lifecycle";
import { TIMED_STAGES } from "./order-timings";

/*
 * The Insights API (GET /api/insights) as browser and server both see it.
 * Filters live in the page URL. Only counts, durations and pharmacy names:
 * never anything about a patient (docs/insights.md).
 */

export const INSIGHTS_RANGES = ["7d", "30d", "90d"] as const;
export const insightsRangeSchema = z.enum(INSIGHTS_RANGES);
export type InsightsRange = z.infer<typeof insightsRangeSchema>;
export const INSIGHTS_RANGE_DAYS: Record<InsightsRange, number> = { "7d": 7, "30d": 30, "90d": 90 };

export const insightsQuerySchema = z.object({
  range: insightsRangeSchema.default("30d").catch("30d"),
  pharmacy: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((value) => (value ? value : undefined)),
});
export type InsightsQuery = z.infer<typeof insightsQuerySchema>;

/** Serialises a query into the URL search string the page and the API share. */
export function insightsQueryToSearch(query: Partial<InsightsQuery>): string {
  const params = new URLSearchParams();
  if (query.range && query.range !== "30d") params.set("range", query.range);
  if (query.pharmacy) params.set("pharmacy", query.pharmacy);
  return params.toString();
}

/** How an order started on a day has ended so far. */
export const OUTCOMES = ["completed", "cancelled", "open"] as const;
export const OUTCOME_LABELS: Record<(typeof OUTCOMES)[number], string> = { completed: "Completed", cancelled: "Cancelled or declined", open: "Still open" };

const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative().nullable();

export const insightsDtoSchema = z.object({
  range: insightsRangeSchema,
  pharmacy: z.string().nullable(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  /** Orders by the UTC day of their first event and how they have ended. */
  ordersPerDay: z.array(z.object({ day: z.iso.date(), completed: count, cancelled: count, open: count })),
  /** Time spent in each main-path stage (estimated percentiles, docs/insights.md). */
  stageTimes: z.object({
    overall: z.array(z.object({ stage: z.enum(TIMED_STAGES), orders: count, medianSeconds: seconds, p90Seconds: seconds })),
    byPharmacy: z.array(z.object({ pharmacy: z.string(), stages: z.array(z.object({ stage: z.enum(TIMED_STAGES), orders: count, medianSeconds: seconds, p90Seconds: seconds })) })),
  }),
  scorecards: z.array(
    z.object({
      pharmacy: z.string(),
      orders: count,
      shipped: count,
      medianToShipSeconds: seconds,
      p90ToShipSeconds: seconds,
      cancellationRate: z.number().min(0).max(1),
      outOfStockRate: z.number().min(0).max(1),
    }),
  ),
  /** Orders that reached each main-path stage (or a later one); `stoppedOpen` stopped here and are not over yet. */
  funnel: z.array(z.object({ stage: z.enum(PROGRESS_STAGES), reached: count, dropOff: count, stoppedOpen: count })),
  /** Orders that first overran a stage's time budget on each UTC day, by whether they are stuck now. */
  stuckPerDay: z.array(z.object({ day: z.iso.date(), stillStuck: count, recovered: count })),
});
export type InsightsDto = z.infer<typeof insightsDtoSchema>;

/**
 * Upper bounds (seconds) of the buckets durations are counted in: 25 % apart
 * from one minute to about 90 days, so a percentile read from them is off by
 * less than 25 % of the true value (docs/insights.md#summary-tables). The
 * summary tables' bucket columns and the migration's triggers use these bounds.
 */
export const DURATION_BUCKET_BOUNDS_S: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let bound = 60; bound < 90 * 86_400; bound *= 1.25) bounds.push(Math.round(bound));
  return bounds;
})();

/**
 * The `fraction` percentile of durations counted per bucket (index into
 * DURATION_BUCKET_BOUNDS_S; the last index holds everything longer),
 * interpolated linearly inside the bucket; null without any duration.
 */
export function percentileOfBuckets(counts: ReadonlyMap<number, number>, fraction: number): number | null {
  let total = 0;
  for (const value of counts.values()) total += value;
  if (total === 0) return null;
  const rank = fraction * total;
  let seen = 0;
  const last = DURATION_BUCKET_BOUNDS_S.length;
  for (let bucket = 0; bucket <= last; bucket += 1) {
    const inBucket = counts.get(bucket) ?? 0;
    if (inBucket === 0) continue;
    if (seen + inBucket >= rank) {
      const lower = bucket === 0 ? 0 : (DURATION_BUCKET_BOUNDS_S[bucket - 1] ?? 0);
      const upper = DURATION_BUCKET_BOUNDS_S[bucket] ?? lower * 1.25;
      return Math.round(lower + ((rank - seen) / inBucket) * (upper - lower));
    }
    seen += inBucket;
  }
  return DURATION_BUCKET_BOUNDS_S[last - 1] ?? null;
}
