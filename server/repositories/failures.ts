import "server-only";
import { z } from "zod";
import { Prisma } from "@/server/core/db";
import { PayloadBoxError } from "@/server/crypto/payload-box";
import { currentProvider, db } from "@/server/core/db";
import { log } from "@/server/core/logger";
import { openDeliveryBody, openDeliveryBodyForView, STORED_BODY_SELECT, type StoredBody } from "@/server/repositories/delivery-bodies";

/*
 * Queries behind the failures page, its health chart, the alert rules and
 * bulk replay. Aggregations run in the database over indexed time ranges
 * (delivery(outcome, received_at), webhook_event(status, …), order(stuck_at));
 * row lists are capped. Time buckets are the only provider difference: SQLite
 * stores instants as ISO text, PostgreSQL as timestamps.
 */

const countValue = z.union([z.number(), z.bigint(), z.string()]).transform(Number);
const instant = z.union([z.date(), z.string(), z.number()]).transform((value) => new Date(value));
const nullableText = z.string().nullable();

/** `column` (a trusted identifier of ours) as whole `seconds`-long buckets since the epoch. */
export function bucketOf(column: string, seconds: number): Prisma.Sql {
  const size = Math.max(1, Math.floor(seconds));
  return currentProvider() === "postgresql"
    ? Prisma.raw(`FLOOR(EXTRACT(EPOCH FROM ${column}) / ${size})::bigint`)
    : Prisma.raw(`(CAST(strftime('%s', ${column}) AS INTEGER) / ${size})`);
}

const bucketRowSchema = z.object({ key: nullableText, bucket: countValue, count: countValue });
export interface BucketCount {
  key: string | null;
  /** Bucket number: seconds since the epoch divided by the bucket size. */
  bucket: number;
  count: number;
}

// ─── Rejected deliveries ─────────────────────────────────────────────────────

export interface OccurrenceStats {
  key: string;
  count: number;
  first: Date;
  last: Date;
}

/** Rejected deliveries at or after `since`, per reason code. */
export async function rejectionsByReason(since: Date): Promise<OccurrenceStats[]> {
  const groups = await (await db()).delivery.groupBy({
    by: ["reasonCode"],
    where: { outcome: { in: ["rejected", "quarantined"] }, receivedAt: { gte: since } },
    _count: { _all: true },
    _min: { receivedAt: true },
    _max: { receivedAt: true },
  });
  return groups.flatMap((group) =>
    group.reasonCode && group._min.receivedAt && group._max.receivedAt ? [{ key: group.reasonCode, count: group._count._all, first: group._min.receivedAt, last: group._max.receivedAt }] : [],
  );
}

/** The newest rejected or quarantined deliveries of one reason since `since`, for evidence (headers, sizes; bodies only when asked). */
export async function recentRejections(reasonCode: string, since: Date, take: number, withBody: boolean) {
  const rows = await (await db()).delivery.findMany({
    where: { outcome: { in: ["rejected", "quarantined"] }, reasonCode, receivedAt: { gte: since } },
    orderBy: { receivedAt: "desc" },
    take,
    select: { receivedAt: true, headers: true, eventTypeHeader: true, sourceAddress: true, bodySize: true, id: true, body: withBody, bodyKeyId: withBody },
  });
  return rows.map(({ id, body, bodyKeyId, ...row }) => ({ ...row, body: withBody ? evidenceBody({ id, body: body ?? null, bodyKeyId: bodyKeyId ?? null }) : null }));
}

/** A rejected body for evidence: one that cannot be opened is left out (and logged), not allowed to hide the rest. */
function evidenceBody(stored: StoredBody): Uint8Array | null {
  try {
    return openDeliveryBody(stored);
  } catch (error) {
    if (!(error instanceof PayloadBoxError)) throw error;
    log("warn", "a rejected delivery's body cannot be opened; left out of the evidence", { deliveryId: stored.id, reason: error.reason });
    return null;
  }
}

/** The last delivery whose signature verified before `before`. */
export async function lastVerifiedDeliveryBefore(before: Date) {
  return (await db()).delivery.findFirst({
    where: { matchedSecretId: { not: null }, receivedAt: { lt: before } },
    orderBy: { receivedAt: "desc" },
    select: { receivedAt: true, matchedSecretId: true },
  });
}

/** Verified deliveries since `since`, per X-Webhook-Event header. */
export async function verifiedDeliveriesByType(since: Date): Promise<{ eventType: string | null; count: number }[]> {
  const groups = await (await db()).delivery.groupBy({ by: ["eventTypeHeader"], where: { matchedSecretId: { not: null }, receivedAt: { gte: since } }, _count: { _all: true } });
  return groups.map((group) => ({ eventType: group.eventTypeHeader, count: group._count._all }));
}

/** Rejected deliveries per reason code and bucket. */
export async function rejectionBuckets(since: Date, bucketSeconds: number): Promise<BucketCount[]> {
  const bucket = bucketOf(`"received_at"`, bucketSeconds);
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "reason_code" AS "key", ${bucket} AS "bucket", COUNT(*) AS "count"
    FROM "delivery" WHERE "outcome" = 'rejected' AND "received_at" >= ${since}
    GROUP BY 1, 2`;
  return z.array(bucketRowSchema).parse(rows);
}

/** All deliveries per bucket (for the silence group's trend: traffic dropping to nothing). */
export async function deliveryBuckets(since: Date, bucketSeconds: number): Promise<BucketCount[]> {
  const bucket = bucketOf(`"received_at"`, bucketSeconds);
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "outcome" AS "key", ${bucket} AS "bucket", COUNT(*) AS "count"
    FROM "delivery" WHERE "received_at" >= ${since}
    GROUP BY 1, 2`;
  return z.array(bucketRowSchema).parse(rows);
}

// ─── Flags and duplicates ────────────────────────────────────────────────────

/** Accepted or duplicate deliveries carrying `flag` since `since`, with their event's type and version (newest first, capped). */
export async function flaggedDeliveries(flag: string, since: Date, take: number) {
  return (await db()).delivery.findMany({
    where: { outcome: { in: ["accepted", "duplicate"] }, receivedAt: { gte: since }, flags: { contains: flag } },
    orderBy: { receivedAt: "desc" },
    take,
    select: { receivedAt: true, eventId: true, event: { select: { eventType: true, payloadVersion: true } } },
  });
}

/** Events with at least `minimum` duplicate deliveries since `since` (the most duplicated first, capped). */
export async function heavilyDuplicatedEvents(since: Date, minimum: number, take: number): Promise<{ eventId: string; count: number }[]> {
  const groups = await (await db()).delivery.groupBy({
    by: ["eventId"],
    where: { outcome: "duplicate", receivedAt: { gte: since }, eventId: { not: null } },
    _count: { _all: true },
    having: { eventId: { _count: { gte: minimum } } },
    orderBy: { _count: { eventId: "desc" } },
    take,
  });
  return groups.flatMap((group) => (group.eventId ? [{ eventId: group.eventId, count: group._count._all }] : []));
}

/** Duplicate deliveries of the given events since `since`: when each arrived and how fast it was answered. */
export async function duplicateDeliveriesOf(eventIds: readonly string[], since: Date) {
  if (eventIds.length === 0) return [];
  return (await db()).delivery.findMany({
    where: { outcome: "duplicate", eventId: { in: [...eventIds] }, receivedAt: { gte: since } },
    select: { eventId: true, receivedAt: true, ackMs: true },
  });
}

export async function findEventTypesAndStatuses(eventIds: readonly string[]) {
  if (eventIds.length === 0) return [];
  return (await db()).webhookEvent.findMany({ where: { id: { in: [...eventIds] } }, select: { id: true, eventType: true, status: true } });
}

// ─── Processing failures ─────────────────────────────────────────────────────

/** Events currently failing (retrying) or dead, per event type, error and status. */
export async function failingEventGroups(): Promise<{ eventType: string; error: string; status: string; count: number }[]> {
  const groups = await (await db()).webhookEvent.groupBy({
    by: ["eventType", "lastError", "status"],
    where: { status: { in: ["failed", "dead"] } },
    _count: { _all: true },
  });
  return groups.map((group) => ({ eventType: group.eventType, error: group.lastError ?? "", status: group.status, count: group._count._all }));
}

const attemptSpanSchema = z.object({ event_type: z.string(), last_error: nullableText, first: instant, last: instant });

/** When the failing runs of each (event type, error) group of currently failing or dead events happened. */
export async function failingAttemptSpans() {
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "e"."event_type", "e"."last_error", MIN("a"."started_at") AS "first", MAX("a"."started_at") AS "last"
    FROM "processing_attempt" AS "a" JOIN "webhook_event" AS "e" ON "e"."id" = "a"."event_id"
    WHERE "e"."status" IN ('failed', 'dead') AND "a"."outcome" IN ('failed', 'dead')
    GROUP BY "e"."event_type", "e"."last_error"`;
  return z.array(attemptSpanSchema).parse(rows).map((row) => ({ eventType: row.event_type, error: row.last_error ?? "", first: row.first, last: row.last }));
}

const attemptBucketSchema = z.object({ event_type: z.string(), last_error: nullableText, bucket: countValue, count: countValue });

/** Failing runs per bucket of currently failing or dead events, per (event type, error). */
export async function failingAttemptBuckets(since: Date, bucketSeconds: number) {
  const bucket = bucketOf(`"a"."started_at"`, bucketSeconds);
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "e"."event_type", "e"."last_error", ${bucket} AS "bucket", COUNT(*) AS "count"
    FROM "processing_attempt" AS "a" JOIN "webhook_event" AS "e" ON "e"."id" = "a"."event_id"
    WHERE "e"."status" IN ('failed', 'dead') AND "a"."outcome" IN ('failed', 'dead') AND "a"."started_at" >= ${since}
    GROUP BY 1, 2, 3`;
  return z
    .array(attemptBucketSchema)
    .parse(rows)
    .map((row) => ({ eventType: row.event_type, error: row.last_error ?? "", bucket: row.bucket, count: row.count }));
}

/** Some failing or dead events (newest first), for re-processing one at a time. */
export async function sampleFailingEvents(take: number) {
  return (await db()).webhookEvent.findMany({
    where: { status: { in: ["failed", "dead"] } },
    orderBy: { lastReceivedAt: "desc" },
    take,
    select: { id: true, eventType: true, lastError: true },
  });
}

/** Dead events per type. */
export async function deadEventsByType(): Promise<{ eventType: string; count: number }[]> {
  const groups = await (await db()).webhookEvent.groupBy({ by: ["eventType"], where: { status: "dead" }, _count: { _all: true } });
  return groups.map((group) => ({ eventType: group.eventType, count: group._count._all }));
}

// ─── Stuck orders and silence ────────────────────────────────────────────────

/** Stuck orders (stuck_at <= now) per stage, and the earliest and latest deadline among them. */
export async function stuckOrdersByStage(now: Date): Promise<{ byStage: { stage: string; count: number }[]; oldest: Date | null; newest: Date | null }> {
  const client = await db();
  const [groups, span] = await Promise.all([
    client.order.groupBy({ by: ["stage"], where: { stuckAt: { lte: now } }, _count: { _all: true } }),
    client.order.aggregate({ where: { stuckAt: { lte: now } }, _min: { stuckAt: true }, _max: { stuckAt: true } }),
  ]);
  return { byStage: groups.map((group) => ({ stage: group.stage, count: group._count._all })), oldest: span._min.stuckAt, newest: span._max.stuckAt };
}

export async function countStuckOrders(now: Date): Promise<number> {
  return (await db()).order.count({ where: { stuckAt: { lte: now } } });
}

/** Orders whose stuck deadline passed, per bucket of that deadline. */
export async function stuckOrderBuckets(since: Date, now: Date, bucketSeconds: number): Promise<BucketCount[]> {
  const bucket = bucketOf(`"stuck_at"`, bucketSeconds);
  const rows: unknown = await (await db()).$queryRaw`
    SELECT 'stuck' AS "key", ${bucket} AS "bucket", COUNT(*) AS "count"
    FROM "order" WHERE "stuck_at" >= ${since} AND "stuck_at" <= ${now}
    GROUP BY 1, 2`;
  return z.array(bucketRowSchema).parse(rows);
}

export async function latestDeliveryAt(): Promise<Date | null> {
  const row = await (await db()).delivery.findFirst({ orderBy: { receivedAt: "desc" }, select: { receivedAt: true } });
  return row?.receivedAt ?? null;
}

/** The newest event of each of `eventTypes`. */
export async function latestEventByType(eventTypes: readonly string[]): Promise<Map<string, Date>> {
  if (eventTypes.length === 0) return new Map();
  const groups = await (await db()).webhookEvent.groupBy({ by: ["eventType"], where: { eventType: { in: [...eventTypes] } }, _max: { lastReceivedAt: true } });
  return new Map(groups.flatMap((group) => (group._max.lastReceivedAt ? [[group.eventType, group._max.lastReceivedAt] as const] : [])));
}

// ─── Health chart and alert inputs ───────────────────────────────────────────

/** Deliveries per outcome and bucket in [from, to). */
export async function outcomeBuckets(from: Date, to: Date, bucketSeconds: number): Promise<BucketCount[]> {
  const bucket = bucketOf(`"received_at"`, bucketSeconds);
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "outcome" AS "key", ${bucket} AS "bucket", COUNT(*) AS "count"
    FROM "delivery" WHERE "received_at" >= ${from} AND "received_at" < ${to}
    GROUP BY 1, 2`;
  return z.array(bucketRowSchema).parse(rows);
}

const p95RowSchema = z.object({ bucket: countValue, ack_ms: z.union([z.number(), z.string()]).transform(Number) });

/**
 * The 95th-percentile acknowledgement time (nearest rank) per bucket in
 * [from, to). A window function ranks each bucket's times; SQLite and
 * PostgreSQL both run it.
 */
export async function ackP95Buckets(from: Date, to: Date, bucketSeconds: number): Promise<{ bucket: number; p95: number }[]> {
  const bucket = bucketOf(`"received_at"`, bucketSeconds);
  const rows: unknown = await (await db()).$queryRaw`
    WITH "ranked" AS (
      SELECT ${bucket} AS "bucket", "ack_ms",
        ROW_NUMBER() OVER (PARTITION BY ${bucket} ORDER BY "ack_ms") AS "rank",
        COUNT(*) OVER (PARTITION BY ${bucket}) AS "total"
      FROM "delivery" WHERE "received_at" >= ${from} AND "received_at" < ${to} AND "ack_ms" IS NOT NULL
    )
    SELECT "bucket", "ack_ms" FROM "ranked" WHERE "rank" = ("total" * 95 + 99) / 100`;
  return z
    .array(p95RowSchema)
    .parse(rows)
    .map((row) => ({ bucket: row.bucket, p95: row.ack_ms }));
}

/** Deliveries per outcome since `since`. */
export async function deliveryOutcomeCounts(since: Date): Promise<Map<string, number>> {
  const groups = await (await db()).delivery.groupBy({ by: ["outcome"], where: { receivedAt: { gte: since } }, _count: { _all: true } });
  return new Map(groups.map((group) => [group.outcome, group._count._all]));
}

/** Events per processing status right now. */
export async function eventStatusCounts(): Promise<Map<string, number>> {
  const groups = await (await db()).webhookEvent.groupBy({ by: ["status"], _count: { _all: true } });
  return new Map(groups.map((group) => [group.status, group._count._all]));
}

export async function upsertBacklogSample(sample: { minute: Date; pending: number; processing: number; failed: number; dead: number }): Promise<void> {
  const { minute, ...counts } = sample;
  await (await db()).backlogSample.upsert({ where: { minute }, create: sample, update: counts });
}

export async function listBacklogSamples(from: Date, to: Date) {
  return (await db()).backlogSample.findMany({ where: { minute: { gte: from, lt: to } }, orderBy: { minute: "asc" } });
}

export async function deleteBacklogSamplesBefore(before: Date): Promise<number> {
  const { count } = await (await db()).backlogSample.deleteMany({ where: { minute: { lt: before } } });
  return count;
}

// ─── Replay ──────────────────────────────────────────────────────────────────

export interface ReplaySelection {
  statuses?: string[];
  eventType?: string;
  receivedFrom?: Date;
  receivedTo?: Date;
  errorContains?: string;
}

function selectionWhere(selection: ReplaySelection): Prisma.WebhookEventWhereInput {
  return {
    ...(selection.statuses ? { status: { in: selection.statuses } } : {}),
    ...(selection.eventType ? { eventType: selection.eventType } : {}),
    ...(selection.receivedFrom || selection.receivedTo
      ? { firstReceivedAt: { ...(selection.receivedFrom ? { gte: selection.receivedFrom } : {}), ...(selection.receivedTo ? { lt: selection.receivedTo } : {}) } }
      : {}),
    ...(selection.errorContains ? { lastError: { contains: selection.errorContains } } : {}),
  };
}

export async function countReplayCandidates(selection: ReplaySelection): Promise<number> {
  return (await db()).webhookEvent.count({ where: selectionWhere(selection) });
}

/** The selected events, oldest first, with the body of their first delivery that kept one (as the worker reads it). */
export async function listReplayCandidates(selection: ReplaySelection, take: number) {
  const events = await (await db()).webhookEvent.findMany({
    where: selectionWhere(selection),
    orderBy: [{ firstReceivedAt: "asc" }, { id: "asc" }],
    take,
    select: {
      id: true,
      eventType: true,
      eventTimestamp: true,
      status: true,
      lastError: true,
      firstReceivedAt: true,
      deliveries: { where: { body: { not: null } }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }], take: 1, select: STORED_BODY_SELECT },
    },
  });
  return events.map(({ deliveries, ...event }) => ({ ...event, deliveries: deliveries.map((stored) => ({ body: openDeliveryBodyForView(stored) })) }));
}

const IN_LIST_CHUNK = 1_000;

function chunks<T>(values: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < values.length; index += IN_LIST_CHUNK) result.push(values.slice(index, index + IN_LIST_CHUNK));
  return result;
}

/** Every fact of each of these orders. */
export async function listFactsOfOrders(orderUids: readonly string[]) {
  const client = await db();
  const rows = [];
  for (const chunk of chunks(orderUids)) rows.push(...(await client.orderFact.findMany({ where: { orderUid: { in: chunk } } })));
  return rows;
}

/** Stage, status and shop order name of each of these orders that exists. */
export async function findOrderStages(orderUids: readonly string[]) {
  const client = await db();
  const rows = [];
  for (const chunk of chunks(orderUids)) {
    rows.push(...(await client.order.findMany({ where: { orderUid: { in: chunk } }, select: { orderUid: true, stage: true, status: true, shopOrderName: true } })));
  }
  return rows;
}

export interface ReplayJobWrite {
  id: string;
  filter: string;
  plan: string;
  eventsPerSecond: number;
  createdById: string | null;
  createdByName: string;
  createdAt: Date;
}

/** Stores a planned job with exactly the events its dry run counted, in the order they will be queued. */
export async function insertPlannedReplayJob(job: ReplayJobWrite, eventIds: readonly string[]): Promise<void> {
  const client = await db();
  await client.replayJob.create({ data: { ...job, state: "planned", total: eventIds.length } });
  let position = 0;
  for (const chunk of chunks(eventIds)) {
    await client.replayItem.createMany({ data: chunk.map((eventId) => ({ jobId: job.id, position: position++, eventId })) });
  }
}

export async function findReplayJob(id: string) {
  return (await db()).replayJob.findUnique({ where: { id } });
}

export async function listRecentReplayJobs(take: number) {
  return (await db()).replayJob.findMany({ orderBy: { createdAt: "desc" }, take });
}

/** Moves a planned job to running for `runnerId`; false when it was not planned (already started or gone). */
export async function markReplayJobRunning(id: string, runnerId: string, now: Date): Promise<boolean> {
  const { count } = await (await db()).replayJob.updateMany({ where: { id, state: "planned" }, data: { state: "running", runnerId, startedAt: now, heartbeatAt: now } });
  return count === 1;
}

/** Takes over a running job whose runner stopped reporting (crashed instance); false when another took it first. */
export async function claimStaleReplayJob(id: string, staleBefore: Date, runnerId: string, now: Date): Promise<boolean> {
  const { count } = await (await db()).replayJob.updateMany({ where: { id, state: "running", heartbeatAt: { lt: staleBefore } }, data: { runnerId, heartbeatAt: now } });
  return count === 1;
}

export async function listStaleRunningReplayJobs(staleBefore: Date) {
  return (await db()).replayJob.findMany({ where: { state: "running", heartbeatAt: { lt: staleBefore } }, select: { id: true } });
}

/** The next items of a job not queued yet, in plan order. */
export async function nextUnqueuedReplayItems(jobId: string, take: number) {
  return (await db()).replayItem.findMany({ where: { jobId, queuedAt: null }, orderBy: { position: "asc" }, take, select: { id: true, eventId: true } });
}

export async function markReplayItemQueued(itemId: number, at: Date): Promise<void> {
  await (await db()).replayItem.update({ where: { id: itemId }, data: { queuedAt: at } });
}

/** Records progress for the job's own runner; false when the job is no longer this runner's (taken over, cancelled, finished). */
export async function recordReplayProgress(id: string, runnerId: string, now: Date): Promise<{ isOwner: boolean; isCancelRequested: boolean }> {
  const client = await db();
  const queued = await client.replayItem.count({ where: { jobId: id, queuedAt: { not: null } } });
  const { count } = await client.replayJob.updateMany({ where: { id, state: "running", runnerId }, data: { queued, heartbeatAt: now } });
  const job = await client.replayJob.findUnique({ where: { id }, select: { isCancelRequested: true } });
  return { isOwner: count === 1, isCancelRequested: job?.isCancelRequested ?? true };
}

export async function finishReplayJob(id: string, runnerId: string, state: "completed" | "cancelled" | "failed", now: Date, error: string | null): Promise<void> {
  const client = await db();
  const queued = await client.replayItem.count({ where: { jobId: id, queuedAt: { not: null } } });
  await client.replayJob.updateMany({ where: { id, state: "running", runnerId }, data: { state, finishedAt: now, queued, error } });
}

/** Asks a job to stop. A planned job is cancelled at once; a running one stops before its next event. False when it had already ended. */
export async function requestReplayCancel(id: string, now: Date): Promise<boolean> {
  const client = await db();
  const planned = await client.replayJob.updateMany({ where: { id, state: "planned" }, data: { state: "cancelled", isCancelRequested: true, finishedAt: now } });
  if (planned.count === 1) return true;
  const running = await client.replayJob.updateMany({ where: { id, state: "running" }, data: { isCancelRequested: true } });
  return running.count === 1;
}

const statusCountSchema = z.object({ status: z.string(), count: countValue });

/** Where a job's events stand now, per processing status (events deleted since are not counted). */
export async function replayItemStatusCounts(jobId: string): Promise<{ status: string; count: number }[]> {
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "e"."status" AS "status", COUNT(*) AS "count"
    FROM "replay_item" AS "i" JOIN "webhook_event" AS "e" ON "e"."id" = "i"."event_id"
    WHERE "i"."job_id" = ${jobId}
    GROUP BY "e"."status"`;
  return z.array(statusCountSchema).parse(rows);
}

/** When the oldest stored delivery arrived (the health chart's automatic range); null before the first. */
export async function oldestDeliveryAt(): Promise<Date | null> {
  const row = await (await db()).delivery.findFirst({ orderBy: { receivedAt: "asc" }, select: { receivedAt: true } });
  return row?.receivedAt ?? null;
}

// ─── Event volume ────────────────────────────────────────────────────────────

const hourlyRowSchema = z.object({ eventType: z.string(), hour: countValue, count: countValue });

/**
 * Events (deduplicated, by first arrival) per type in each of the given whole
 * hours since the epoch: one grouped query over the indexed first_received_at,
 * one range per hour, for the quiet-type baseline.
 */
export async function eventCountsInHours(hours: readonly number[]): Promise<{ eventType: string; hour: number; count: number }[]> {
  if (hours.length === 0) return [];
  const hour = bucketOf(`"first_received_at"`, 3600);
  const ranges = hours.map((start) => Prisma.sql`("first_received_at" >= ${new Date(start * 3_600_000)} AND "first_received_at" < ${new Date((start + 1) * 3_600_000)})`);
  const rows: unknown = await (await db()).$queryRaw`
    SELECT "event_type" AS "eventType", ${hour} AS "hour", COUNT(*) AS "count"
    FROM "webhook_event" WHERE ${Prisma.join(ranges, " OR ")}
    GROUP BY 1, 2`;
  return z.array(hourlyRowSchema).parse(rows);
}
