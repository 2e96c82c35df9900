import "server-only";
import { z } from "zod";
import { DURATION_BUCKET_BOUNDS_S } from "@/lib/insights";
import { Prisma, db } from "@/server/core/db";
import { bucketOf } from "@/server/repositories/failures";

/*
 * Queries behind the Insights page. All but stuck orders read the summary
 * tables that database triggers keep equal to the `order` rows
 * (insights_order_count, insights_duration_count: one row per UTC day,
 * pharmacy and outcome or measure), so a 90-day range reads days ×
 * pharmacies rows, never the orders (docs/insights.md#summary-tables).
 * Durations come back as counts per bucket. Pharmacy '' in the summary is
 * "no pharmacy" and comes back as null.
 */

const countValue = z.union([z.number(), z.bigint(), z.string()]).transform(Number);
const pharmacyKey = z.string().transform((value) => (value === "" ? null : value));
const DAY_MS = 86_400_000;

export interface InsightsFilter {
  /** Orders whose first event is on a UTC day from the day of `from` to the day of `to` (inclusive). */
  from: Date;
  to: Date;
  pharmacy?: string;
}

/** The summary's measure holding the time from the first event to shipped; the others are the timed stages. */
const TO_SHIP_MEASURE = "to_ship";

/** The summary's days (since the epoch) the filter covers, and its pharmacy. */
function onDays(filter: InsightsFilter): Prisma.Sql {
  const firstDay = Math.floor(filter.from.getTime() / DAY_MS);
  const lastDay = Math.floor((filter.to.getTime() - 1) / DAY_MS);
  const pharmacy = filter.pharmacy === undefined ? Prisma.empty : Prisma.sql` AND "pharmacy_name" = ${filter.pharmacy}`;
  return Prisma.sql`"day" >= ${firstDay} AND "day" <= ${lastDay}${pharmacy}`;
}

const dayStageRowSchema = z.object({ bucket: countValue, stage: z.string(), count: countValue });

/** Orders per UTC day of their first event (days since the epoch) and current stage. */
export async function countOrdersPerDayAndStage(filter: InsightsFilter): Promise<z.infer<typeof dayStageRowSchema>[]> {
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "day" AS "bucket", "stage", SUM("count") AS "count" FROM "insights_order_count" WHERE ${onDays(filter)} GROUP BY "day", "stage"`;
  return z.array(dayStageRowSchema).parse(rows);
}

/** How many durations of one measure (a timed stage or to_ship) and pharmacy fell in one bucket. */
export interface HistogramRow {
  stage: string;
  pharmacy: string | null;
  bucket: number;
  count: number;
}

const BUCKETS = DURATION_BUCKET_BOUNDS_S.length + 1;
const bucketSums = Prisma.raw(Array.from({ length: BUCKETS }, (_, index) => `SUM("bucket_${index}") AS "b${index}"`).join(", "));
const histogramSumsSchema = z
  .object({ measure: z.string(), pharmacy: pharmacyKey })
  .catchall(z.unknown())
  .transform((row): HistogramRow[] =>
    Array.from({ length: BUCKETS }, (_, bucket) => ({ stage: row.measure, pharmacy: row.pharmacy, bucket, count: countValue.parse(row[`b${bucket}`] ?? 0) })).filter((entry) => entry.count > 0),
  );

async function sumHistograms(filter: InsightsFilter, measures: Prisma.Sql): Promise<HistogramRow[]> {
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "measure", "pharmacy_name" AS "pharmacy", ${bucketSums} FROM "insights_duration_count"
    WHERE ${onDays(filter)} AND ${measures} GROUP BY "measure", "pharmacy_name"`;
  return z.array(histogramSumsSchema).parse(rows).flat();
}

/** Time spent in each main-path stage, counted per pharmacy and duration bucket. */
export async function countStageDurations(filter: InsightsFilter): Promise<HistogramRow[]> {
  return sumHistograms(filter, Prisma.sql`"measure" <> ${TO_SHIP_MEASURE}`);
}

const pharmacyRowSchema = z.object({ pharmacy: pharmacyKey, orders: countValue, cancelled: countValue, outOfStock: countValue });

/** Orders per pharmacy with how many were cancelled or declined and how many went out of stock. */
export async function countPharmacyOutcomes(filter: InsightsFilter): Promise<z.infer<typeof pharmacyRowSchema>[]> {
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "pharmacy_name" AS "pharmacy", SUM("count") AS "orders",
      SUM(CASE WHEN "stage" IN ('cancelled', 'declined') THEN "count" ELSE 0 END) AS "cancelled",
      SUM(CASE WHEN "went_out_of_stock" THEN "count" ELSE 0 END) AS "outOfStock"
    FROM "insights_order_count" WHERE ${onDays(filter)} GROUP BY "pharmacy_name"`;
  return z.array(pharmacyRowSchema).parse(rows);
}

/** Time from the first event to shipped, counted per pharmacy and duration bucket. */
export async function countTimeToShip(filter: InsightsFilter): Promise<HistogramRow[]> {
  return sumHistograms(filter, Prisma.sql`"measure" = ${TO_SHIP_MEASURE}`);
}

const funnelRowSchema = z.object({ furthestStage: pharmacyKey, stage: z.string(), count: countValue });

/** Orders per furthest main-path stage ever reported and current stage. */
export async function countFurthestStages(filter: InsightsFilter): Promise<z.infer<typeof funnelRowSchema>[]> {
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "furthest_stage" AS "furthestStage", "stage", SUM("count") AS "count" FROM "insights_order_count" WHERE ${onDays(filter)} GROUP BY "furthest_stage", "stage"`;
  return z.array(funnelRowSchema).parse(rows);
}

const stuckRowSchema = z.object({ bucket: countValue, stillStuck: countValue, count: countValue });

/**
 * Orders that first overran a stage budget per UTC day in [from, min(to, now)), by whether they are stuck at `now`.
 * Read from the orders (through (first_stuck_at, pharmacy_name, stuck_at)): "stuck now" depends on `now`, and
 * few orders ever get stuck.
 */
export async function countFirstStuckPerDay(filter: InsightsFilter, now: Date): Promise<z.infer<typeof stuckRowSchema>[]> {
  const day = bucketOf(`"first_stuck_at"`, 86_400);
  const until = filter.to < now ? filter.to : now;
  const pharmacy = filter.pharmacy === undefined ? Prisma.empty : Prisma.sql` AND "pharmacy_name" = ${filter.pharmacy}`;
  const stillStuck = Prisma.sql`CASE WHEN "stuck_at" <= ${now} THEN 1 ELSE 0 END`;
  const rows: unknown = await (await db()).$queryRaw`
    SELECT ${day} AS "bucket", ${stillStuck} AS "stillStuck", COUNT(*) AS "count" FROM "order"
    WHERE "first_stuck_at" >= ${filter.from} AND "first_stuck_at" < ${until}${pharmacy} GROUP BY 1, 2`;
  return z.array(stuckRowSchema).parse(rows);
}
