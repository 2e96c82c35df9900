import "server-only";
import { HEALTH_RANGE_SPECS, autoHealthRange, deliveryHealthDtoSchema, type DeliveryHealthDto, type HealthRangeChoice } from "@/lib/failures";
import { ackP95Buckets, eventStatusCounts, listBacklogSamples, oldestDeliveryAt, outcomeBuckets } from "@/server/repositories/failures";

/**
 * The health chart over `range` ending at `now`: deliveries per minute by
 * outcome (each bucket's count divided by its minutes), p95 acknowledgement
 * time per bucket, and the processing backlog as sampled once a minute by the
 * alert timer; plus the backlog right now.
 */
export async function getHealth(choice: HealthRangeChoice, now: Date = new Date()): Promise<DeliveryHealthDto> {
  const isAutomatic = choice === "auto";
  const range = choice === "auto" ? autoHealthRange(await oldestDeliveryAt(), now) : choice;
  const spec = HEALTH_RANGE_SPECS[range];
  const lastBucket = Math.floor(now.getTime() / 1000 / spec.bucketSeconds);
  const firstBucket = lastBucket - Math.ceil(spec.seconds / spec.bucketSeconds) + 1;
  const from = new Date(firstBucket * spec.bucketSeconds * 1000);
  const to = new Date((lastBucket + 1) * spec.bucketSeconds * 1000);
  const [outcomes, p95s, overall, samples, statuses] = await Promise.all([
    outcomeBuckets(from, to, spec.bucketSeconds),
    ackP95Buckets(from, to, spec.bucketSeconds),
    // Buckets of 10^10 s put every instant before the year 2286 in bucket 0: the range's own p95.
    ackP95Buckets(from, to, 10_000_000_000),
    listBacklogSamples(from, to),
    eventStatusCounts(),
  ]);
  const minutes = spec.bucketSeconds / 60;
  const points = Array.from({ length: lastBucket - firstBucket + 1 }, (_, index) => ({
    at: new Date((firstBucket + index) * spec.bucketSeconds * 1000).toISOString(),
    accepted: 0,
    duplicate: 0,
    rejected: 0,
    quarantined: 0,
    p95AckMs: null as number | null,
    pending: null as number | null,
    failed: null as number | null,
    dead: null as number | null,
  }));
  const totals = { accepted: 0, duplicate: 0, rejected: 0, quarantined: 0 };
  for (const row of outcomes) {
    const point = points[row.bucket - firstBucket];
    if (!point || (row.key !== "accepted" && row.key !== "duplicate" && row.key !== "rejected" && row.key !== "quarantined")) continue;
    point[row.key] += row.count / minutes;
    totals[row.key] += row.count;
  }
  for (const row of p95s) {
    const point = points[row.bucket - firstBucket];
    if (point) point.p95AckMs = row.p95;
  }
  for (const sample of samples) {
    const point = points[Math.floor(sample.minute.getTime() / 1000 / spec.bucketSeconds) - firstBucket];
    // Samples come oldest first: the bucket keeps its latest.
    if (point) Object.assign(point, { pending: sample.pending + sample.processing, failed: sample.failed, dead: sample.dead });
  }
  for (const point of points) {
    point.accepted = Math.round(point.accepted * 100) / 100;
    point.duplicate = Math.round(point.duplicate * 100) / 100;
    point.rejected = Math.round(point.rejected * 100) / 100;
    point.quarantined = Math.round(point.quarantined * 100) / 100;
  }
  return deliveryHealthDtoSchema.parse({
    range,
    isAutomatic,
    bucketSeconds: spec.bucketSeconds,
    points,
    totals: { ...totals, p95AckMs: overall[0]?.p95 ?? null },
    backlog: { pending: statuses.get("pending") ?? 0, processing: statuses.get("processing") ?? 0, failed: statuses.get("failed") ?? 0, dead: statuses.get("dead") ?? 0 },
  });
}
