import "server-only";
import { processSlot } from "@/server/core/process-slot";
import { setImmediate as nextTurn } from "node:timers/promises";
import { longestNonAuditRetentionDays } from "@/lib/settings";
import type { RetentionCounts } from "@/lib/data-protection";
import type { Viewer } from "@/lib/accounts";
import { recordAudit } from "@/server/audit/record-audit";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { summarizeError } from "@/server/processing/errors";
import { getSettings } from "@/server/settings/settings";
import {
  deleteAuditEntriesBatch,
  deleteExpiredEventsBatch,
  deleteExpiredOrdersBatch,
  deleteRejectedDeliveriesBatch,
  finishPurgeRun,
  insertPurgeRun,
  purgeDeliveryBodiesBatch,
  type TimeCursor,
} from "@/server/repositories/retention";

// The retention purge: bodies, rejected deliveries, finished events, orphaned orders,
// then audit entries, each past its configured period; unfinished work is kept. Short
// guarded batches with an event-loop turn between, so a concurrent run removes nothing twice.
// See docs/data-protection.md#how-the-purge-runs

/** Rows per statement: small enough that one batch holds the SQLite write lock for milliseconds. */
export const PURGE_BATCH_SIZE = 500;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionRunResult {
  runId: string;
  auditId: string;
  removed: RetentionCounts;
  /** Batches that removed or inspected rows, per step (bodies, rejected, events, orders, audit). */
  batches: Record<"bodies" | "rejected" | "events" | "orders" | "audit", number>;
}

export interface RetentionRunOptions {
  /** Who asked, for a manual run; the timer runs as the system. */
  actor?: Viewer;
  batchSize?: number;
}

const retentionRunningSlot = processSlot<boolean>("rxwatchRetentionRunning");

function emptyCounts(): RetentionCounts {
  return { bodies: 0, rejected: 0, events: 0, deliveries: 0, orders: 0, orderFacts: 0, revealGrants: 0, audit: 0 };
}

/** Whether a purge is running in this process (the timer skips its turn then; a manual run is refused). */
export function isRetentionPurgeRunning(): boolean {
  return retentionRunningSlot.value === true;
}

/**
 * Starts a purge at `now` and returns once its PurgeRun row exists; `finished` settles when it is done (it
 * rejects only after the failure was recorded on the run and in the audit log). AppError `conflict` when a purge
 * is already running in this process.
 */
export async function startRetentionPurge(now: Date = new Date(), options: RetentionRunOptions = {}): Promise<{ runId: string; finished: Promise<RetentionRunResult> }> {
  if (isRetentionPurgeRunning()) throw new AppError("conflict", "A purge is already running. Wait for it to finish.");
  retentionRunningSlot.value = true;
  try {
    const actorId = options.actor ? (options.actor.via === "session" ? options.actor.userId : options.actor.tokenId) : null;
    const runId = await insertPurgeRun({ trigger: "retention", startedAt: now, actorId });
    const finished = purge(runId, now, options).finally(() => {
      retentionRunningSlot.value = false;
    });
    return { runId, finished };
  } catch (error) {
    retentionRunningSlot.value = false;
    throw error;
  }
}

/** Runs one purge at `now` to the end. */
export async function runRetentionPurge(now: Date = new Date(), options: RetentionRunOptions = {}): Promise<RetentionRunResult> {
  return (await startRetentionPurge(now, options)).finished;
}

async function purge(runId: string, now: Date, options: RetentionRunOptions): Promise<RetentionRunResult> {
  const take = options.batchSize ?? PURGE_BATCH_SIZE;
  const actor = options.actor ?? { via: "system" as const, name: "retention" };
  const removed = emptyCounts();
  const batches: RetentionRunResult["batches"] = { bodies: 0, rejected: 0, events: 0, orders: 0, audit: 0 };
  const startedMs = Date.now();
  // On the run's own clock, so an injected `now` gives a finish time after the start.
  const finishedAt = () => new Date(now.getTime() + (Date.now() - startedMs));
  try {
    const settings = await getSettings("retention");
    const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
    // Settings validation keeps auditDays >= the other periods; the max holds it here even for a hand-edited row.
    const auditDays = Math.max(settings.auditDays, longestNonAuditRetentionDays(settings));

    let bodyCursor: TimeCursor | null = null;
    do {
      const batch = await purgeDeliveryBodiesBatch(before(settings.rawBodyDays), bodyCursor, take, now);
      if (batch.bodies > 0 || batch.next) batches.bodies++;
      removed.bodies += batch.bodies;
      bodyCursor = batch.next;
      await nextTurn();
    } while (bodyCursor);

    for (let isDone = false; !isDone; await nextTurn()) {
      const batch = await deleteRejectedDeliveriesBatch(before(settings.rejectedDeliveryDays), take);
      if (batch.rejected > 0) batches.rejected++;
      removed.rejected += batch.rejected;
      removed.revealGrants += batch.revealGrants;
      isDone = batch.isDone || batch.rejected === 0;
    }

    for (let isDone = false; !isDone; await nextTurn()) {
      const batch = await deleteExpiredEventsBatch(before(settings.eventDays), take);
      if (batch.events > 0) batches.events++;
      removed.events += batch.events;
      removed.deliveries += batch.deliveries;
      removed.revealGrants += batch.revealGrants;
      isDone = batch.isDone || batch.events === 0;
    }

    let orderCursor: TimeCursor | null = null;
    do {
      const batch = await deleteExpiredOrdersBatch(before(settings.eventDays), orderCursor, take);
      if (batch.orders > 0 || batch.next) batches.orders++;
      removed.orders += batch.orders;
      removed.orderFacts += batch.orderFacts;
      orderCursor = batch.next;
      await nextTurn();
    } while (orderCursor);

    for (let isDone = false; !isDone; await nextTurn()) {
      const batch = await deleteAuditEntriesBatch(before(auditDays), take);
      if (batch.audit > 0) batches.audit++;
      removed.audit += batch.audit;
      isDone = batch.isDone || batch.audit === 0;
    }
  } catch (error) {
    const reason = error instanceof AppError ? `${error.code}: ${error.message}` : summarizeError(error);
    log("error", "retention purge failed", { runId, error: reason, ...removed });
    // Recorded before rethrowing: what was removed before the failure is gone and must be on record.
    const auditId = await recordAudit({ action: "retention.purge", actor, outcome: "failure", target: { type: "purge_run", id: runId }, details: { ...removed, error: reason } }).catch(() => null);
    await finishPurgeRun(runId, { state: "failed", finishedAt: finishedAt(), removed: { ...removed }, auditId, error: reason }).catch(() => undefined);
    throw error;
  }
  const auditId = await recordAudit({ action: "retention.purge", actor, target: { type: "purge_run", id: runId }, details: { ...removed } });
  await finishPurgeRun(runId, { state: "completed", finishedAt: finishedAt(), removed: { ...removed }, auditId, error: null });
  log("info", "retention purge finished", { runId, durationMs: Date.now() - startedMs, ...removed, batches });
  return { runId, auditId, removed, batches };
}
