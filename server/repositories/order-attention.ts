import "server-only";
import { z } from "zod";
import { db, Prisma } from "@/server/core/db";

/*
 * The attention queue's table. An order is in the queue while it is in Needs
 * attention (or an older row's `other`) or stuck, unless it was resolved for
 * exactly its current problem: a resolution stores the status and stage-since
 * it was made for, so a new problem (a new status or a new stage entry) puts
 * the order back without anyone clearing anything.
 */

export type AttentionWrite = Omit<Prisma.OrderAttentionUncheckedCreateInput, "orderUid" | "updatedAt">;

function queueCondition(now: Date): Prisma.Sql {
  return Prisma.sql`FROM "order" o LEFT JOIN "order_attention" a ON a."order_uid" = o."order_uid"
    WHERE (o."stage" IN ('needs_attention', 'other') OR o."stuck_at" <= ${now})
      AND (a."resolved_at" IS NULL OR a."resolved_status" <> o."status" OR a."resolved_stage_since" <> o."stage_since")`;
}

function snoozeCondition(isSnoozed: boolean, now: Date): Prisma.Sql {
  return isSnoozed ? Prisma.sql`a."snoozed_until" > ${now}` : Prisma.sql`(a."snoozed_until" IS NULL OR a."snoozed_until" <= ${now})`;
}

const uidRowsSchema = z.array(z.object({ order_uid: z.string() }));
const countRowsSchema = z.array(z.object({ count: z.union([z.number(), z.bigint(), z.string()]).transform(Number) }));

/** Uids of queued orders, open or snoozed, the longest-waiting problem first. */
export async function listQueuedOrderUids(now: Date, isSnoozed: boolean, limit: number): Promise<string[]> {
  const rows: unknown = await (await db()).$queryRaw`SELECT o."order_uid" ${queueCondition(now)} AND ${snoozeCondition(isSnoozed, now)}
    ORDER BY o."stage_since" ASC, o."order_uid" ASC LIMIT ${limit}`;
  return uidRowsSchema.parse(rows).map((row) => row.order_uid);
}

export async function countQueuedOrders(now: Date, isSnoozed: boolean): Promise<number> {
  const rows: unknown = await (await db()).$queryRaw`SELECT COUNT(*) AS "count" ${queueCondition(now)} AND ${snoozeCondition(isSnoozed, now)}`;
  return countRowsSchema.parse(rows)[0]?.count ?? 0;
}

/** Whether the order is in the queue now (open or snoozed). */
export async function isOrderQueued(orderUid: string, now: Date): Promise<boolean> {
  const rows: unknown = await (await db()).$queryRaw`SELECT o."order_uid" ${queueCondition(now)} AND o."order_uid" = ${orderUid}`;
  return uidRowsSchema.parse(rows).length > 0;
}

/** Orders with their attention rows, for the given uids (unknown uids are absent). */
export async function listOrdersWithAttention(orderUids: readonly string[]) {
  if (orderUids.length === 0) return [];
  return (await db()).order.findMany({ where: { orderUid: { in: [...orderUids] } }, include: { attention: true } });
}

export async function findOrderWithAttention(orderUid: string) {
  return (await db()).order.findUnique({ where: { orderUid }, include: { attention: true } });
}

/** Writes the given fields of an order's attention row, creating it when missing. */
export async function upsertAttention(orderUid: string, change: AttentionWrite) {
  return (await db()).orderAttention.upsert({ where: { orderUid }, create: { orderUid, ...change }, update: change });
}
