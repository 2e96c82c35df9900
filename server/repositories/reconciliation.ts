import "server-only";
import { db } from "@/server/core/db";
import { timeOrderedId } from "@/server/core/time-ordered-id";
import type { OrderFactRow } from "@/server/repositories/orders";

/*
 * Reconciliation runs, the orders that differed in each, and what the
 * reconciler reads of RxWatch's own records (facts by order, orders active in
 * a window, deliveries around a time) to compare and to judge a likely cause.
 */

export type ReconciliationTrigger = "timer" | "manual" | "cli" | "order";
export type ReconciliationState = "running" | "completed" | "failed" | "cancelled";

export interface ReconciliationCounts {
  checked: number;
  inSync: number;
  missing: number;
  behind: number;
  unknownToRxScale: number;
  filled: number;
  requests: number;
}

export async function insertReconciliationRun(run: { trigger: ReconciliationTrigger; startedAt: Date; since: Date; until: Date; actorId: string | null }): Promise<string> {
  const id = timeOrderedId();
  await (await db()).reconciliationRun.create({ data: { id, state: "running", ...run } });
  return id;
}

export async function updateReconciliationCounts(id: string, counts: ReconciliationCounts): Promise<void> {
  await (await db()).reconciliationRun.update({ where: { id }, data: counts });
}

export async function finishReconciliationRun(id: string, result: { state: Exclude<ReconciliationState, "running">; finishedAt: Date; error: string | null } & ReconciliationCounts): Promise<void> {
  await (await db()).reconciliationRun.update({ where: { id }, data: result });
}

/** Marks a running run cancelled; the run notices between pages. False when it was not running. */
export async function cancelRunningReconciliation(id: string): Promise<boolean> {
  const result = await (await db()).reconciliationRun.updateMany({ where: { id, state: "running" }, data: { state: "cancelled" } });
  return result.count > 0;
}

export async function findReconciliationRun(id: string) {
  return (await db()).reconciliationRun.findUnique({ where: { id } });
}

/** The newest sweeps; single-order checks from the trace page are left out. */
export async function listReconciliationRuns(take: number) {
  return (await db()).reconciliationRun.findMany({ where: { trigger: { not: "order" } }, orderBy: [{ startedAt: "desc" }, { id: "desc" }], take });
}

/** Where the next sweep starts: the end of the last completed sweep (not single-order checks). */
export async function findLastSweepUntil(): Promise<Date | null> {
  const run = await (await db()).reconciliationRun.findFirst({ where: { state: "completed", trigger: { not: "order" } }, orderBy: [{ until: "desc" }], select: { until: true } });
  return run?.until ?? null;
}

/** Runs left "running" by a process that died; they are marked failed at start-up of the next run. */
export async function failAbandonedRuns(before: Date): Promise<number> {
  const result = await (await db()).reconciliationRun.updateMany({ where: { state: "running", startedAt: { lt: before } }, data: { state: "failed", error: "The process running it stopped.", finishedAt: new Date() } });
  return result.count;
}

export interface DifferenceWrite {
  runId: string;
  orderUid: string;
  class: "missing" | "behind" | "unknown_to_rxscale";
  entities: string;
  likelyCause: string;
  isFilled: boolean;
  createdAt: Date;
}

export async function insertDifferences(rows: DifferenceWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await (await db()).reconciliationDifference.createMany({ data: rows });
}

/** A run's differences in the order they were found, from after the difference `after`. */
export async function listDifferences(runId: string, take: number, after = 0) {
  return (await db()).reconciliationDifference.findMany({ where: { runId, id: { gt: after } }, orderBy: { id: "asc" }, take });
}

export async function findRunningReconciliation() {
  return (await db()).reconciliationRun.findFirst({ where: { state: "running", trigger: { not: "order" } }, orderBy: { startedAt: "desc" } });
}

/** The newest finished sweep (not a single-order check): what the "webhooks missed" incident is judged from. */
export async function findLatestFinishedSweep() {
  return (await db()).reconciliationRun.findFirst({ where: { state: { in: ["completed", "cancelled"] }, trigger: { not: "order" } }, orderBy: [{ startedAt: "desc" }, { id: "desc" }] });
}

/** Single-order checks one person started since `since`: their rate limit, shared by every instance. */
export async function countOrderChecksSince(actorId: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
  const rows = await (await db()).reconciliationRun.findMany({ where: { trigger: "order", actorId, startedAt: { gte: since } }, select: { startedAt: true }, orderBy: { startedAt: "asc" } });
  return { count: rows.length, oldest: rows[0]?.startedAt ?? null };
}

/** Facts of many orders at once, for comparing a page of RxScale's orders in one query. */
export async function listFactsOfOrders(orderUids: readonly string[]): Promise<OrderFactRow[]> {
  if (orderUids.length === 0) return [];
  return (await db()).orderFact.findMany({ where: { orderUid: { in: [...orderUids] } } });
}

/** Orders whose last event falls in the window, keyset-paged by uid. */
export async function listOrderUidsActiveBetween(from: Date, to: Date, after: string | null, take: number): Promise<string[]> {
  const rows = await (await db()).order.findMany({
    where: { lastEventAt: { gte: from, lte: to }, ...(after === null ? {} : { orderUid: { gt: after } }) },
    orderBy: { orderUid: "asc" },
    select: { orderUid: true },
    take,
  });
  return rows.map((row) => row.orderUid);
}

/** Stores a fact read from RxScale's API (source "reconciliation"); its id is derived from its content, so filling twice stores it once. */
export async function upsertReconciledFact(fact: OrderFactRow): Promise<void> {
  const { eventId, ...rest } = fact;
  await (await db()).orderFact.upsert({ where: { eventId }, create: { ...fact, source: "reconciliation" }, update: { ...rest, source: "reconciliation" } });
}

/** Deliveries received in a window, all and rejected for a bad signature: evidence for a difference's likely cause. */
export async function countDeliveriesAround(from: Date, to: Date): Promise<{ all: number; badSignature: number }> {
  const client = await db();
  const [all, badSignature] = await Promise.all([
    client.delivery.count({ where: { receivedAt: { gte: from, lte: to } } }),
    client.delivery.count({ where: { receivedAt: { gte: from, lte: to }, reasonCode: "bad_signature" } }),
  ]);
  return { all, badSignature };
}
