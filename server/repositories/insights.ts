import "server-only";
import { z } from "zod";
import { DURATION_BUCKET_BOUNDS_S } from "@/lib/insights";
import { Prisma, db } from "@/server/core/db";
import { bucketOf } from "@/server/repositories/failures";

/*
 * Queries behind the Insights page. Each reads columns the order projector
 * wrote (stage durations, time to ship, out of stock, first stuck) through
 * order_insights_idx / order_stage_seconds_idx / (first_stuck_at, …), never
 * the events; durations come back as counts per bucket, so no query returns
 * more rows than pharmacies × buckets (docs/insights.md). Groups are named
 * by position: PostgreSQL would not match a grouped expression whose
 * parameters are bound twice.
 */

const countValue = z.union([z.number(), z.bigint(), z.string()]).transform(Number);
const nullableText = z.string().nullable();

export interface InsightsFilter {
  /** Orders whose first event is in [from, to). */
  from: Date;
  to: Date;
  pharmacy?: string;
}

/** The order columns holding time spent per main-path stage, by stage. */
export const STAGE_SECONDS_COLUMNS = {
  ordered: "ordered_seconds",
  prescription_approved: "prescription_approved_seconds",
  prescription_signed: "prescription_signed_seconds",
  sent_to_pharmacy: "sent_to_pharmacy_seconds",
  in_pharmacy: "in_pharmacy_seconds",
  shipped: "shipped_seconds",
} as const;

/** `column` (a trusted identifier of ours) as an index into DURATION_BUCKET_BOUNDS_S; integer comparisons read alike on both providers. */
function durationBucketOf(column: string): Prisma.Sql {
  const branches = DURATION_BUCKET_BOUNDS_S.map((bound, index) => `WHEN "${column}" < ${bound} THEN ${index}`).join(" ");
  return Prisma.raw(`CASE ${branches} ELSE ${DURATION_BUCKET_BOUNDS_S.length} END`);
}

function startedIn(filter: InsightsFilter): Prisma.Sql {
  const pharmacy = filter.pharmacy === undefined ? Prisma.empty : Prisma.sql` AND "pharmacy_name" = ${filter.pharmacy}`;
  return Prisma.sql`"first_event_at" >= ${filter.from} AND "first_event_at" < ${filter.to}${pharmacy}`;
}

const dayStageRowSchema = z.object({ bucket: countValue, stage: z.string(), count: countValue });

/** Orders per UTC day of their first event (days since the epoch) and current stage. */
export async function countOrdersPerDayAndStage(filter: InsightsFilter): Promise<z.infer<typeof dayStageRowSchema>[]> {
  const day = bucketOf(`"first_event_at"`, 86_400);
  const rows: unknown = await (await db()).$queryRaw`
    SELECT ${day} AS "bucket", "stage", COUNT(*) AS "count" FROM "order" WHERE ${startedIn(filter)} GROUP BY 1, 2`;
  return z.array(dayStageRowSchema).parse(rows);
}

const histogramRowSchema = z.object({ stage: z.string(), pharmacy: nullableText, bucket: countValue, count: countValue });
export type HistogramRow = z.infer<typeof histogramRowSchema>;

/** Time spent in each main-path stage, counted per pharmacy and duration bucket, in one statement. */
export async function countStageDurations(filter: InsightsFilter): Promise<HistogramRow[]> {
  const parts = Object.entries(STAGE_SECONDS_COLUMNS).map(
    ([stage, column]) => Prisma.sql`SELECT ${Prisma.raw(`'${stage}'`)} AS "stage", "pharmacy_name" AS "pharmacy", ${durationBucketOf(column)} AS "bucket", COUNT(*) AS "count"
      FROM "order" WHERE ${startedIn(filter)} AND ${Prisma.raw(`"${column}"`)} IS NOT NULL GROUP BY 2, 3`,
  );
  const rows: unknown = await (await db()).$queryRaw`${Prisma.join(parts, " UNION ALL ")}`;
  return z.array(histogramRowSchema).parse(rows);
}

const pharmacyRowSchema = z.object({ pharmacy: nullableText, orders: countValue, cancelled: countValue, outOfStock: countValue });

/** Orders per pharmacy with how many were cancelled or declined and how many went out of stock. */
export async function countPharmacyOutcomes(filter: InsightsFilter): Promise<z.infer<typeof pharmacyRowSchema>[]> {
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "pharmacy_name" AS "pharmacy", COUNT(*) AS "orders",
      SUM(CASE WHEN "stage" IN ('cancelled', 'declined') THEN 1 ELSE 0 END) AS "cancelled",
      SUM(CASE WHEN "went_out_of_stock" THEN 1 ELSE 0 END) AS "outOfStock"
    FROM "order" WHERE ${startedIn(filter)} GROUP BY "pharmacy_name"`;
  return z.array(pharmacyRowSchema).parse(rows);
}

/** Time from the first event to shipped, counted per pharmacy and duration bucket. */
export async function countTimeToShip(filter: InsightsFilter): Promise<HistogramRow[]> {
  const bucket = durationBucketOf("to_ship_seconds");
  const rows: unknown = await (await db()).$queryRaw`
    SELECT 'to_ship' AS "stage", "pharmacy_name" AS "pharmacy", ${bucket} AS "bucket", COUNT(*) AS "count"
    FROM "order" WHERE ${startedIn(filter)} AND "to_ship_seconds" IS NOT NULL GROUP BY 2, 3`;
  return z.array(histogramRowSchema).parse(rows);
}

const funnelRowSchema = z.object({ furthestStage: nullableText, stage: z.string(), count: countValue });

/** Orders per furthest main-path stage ever reported and current stage. */
export async function countFurthestStages(filter: InsightsFilter): Promise<z.infer<typeof funnelRowSchema>[]> {
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "furthest_stage" AS "furthestStage", "stage", COUNT(*) AS "count" FROM "order" WHERE ${startedIn(filter)} GROUP BY "furthest_stage", "stage"`;
  return z.array(funnelRowSchema).parse(rows);
}

const stuckRowSchema = z.object({ bucket: countValue, stillStuck: countValue, count: countValue });

/** Orders that first overran a stage budget per UTC day in [from, min(to, now)), by whether they are stuck at `now`. */
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
