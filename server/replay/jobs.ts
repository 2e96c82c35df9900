import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { replayFilterSchema, replayJobDtoSchema, replayPlanSchema, replayStateSchema, stageStatusOf, type ReplayJobDto } from "@/lib/failures";
import type { Viewer } from "@/lib/accounts";
import { recordAudit } from "@/server/audit/record-audit";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { summarizeError } from "@/server/processing/errors";
import { signalNewEvents } from "@/server/processing/inbox-signal";
import { createInboxRepository } from "@/server/repositories/inbox";
import {
  claimStaleReplayJob,
  findOrderStages,
  findReplayJob,
  finishReplayJob,
  listRecentReplayJobs,
  listStaleRunningReplayJobs,
  markReplayItemQueued,
  markReplayJobRunning,
  nextUnqueuedReplayItems,
  recordReplayProgress,
  replayItemStatusCounts,
  requestReplayCancel,
} from "@/server/repositories/failures";

// Replay jobs queue at most `eventsPerSecond` planned events a second for the inbox
// worker, with progress, heartbeat and cancel checks. Queuing is idempotent and marked,
// so a job taken over after STALE_AFTER_MS resumes without queuing twice.
// See docs/failures-and-alerts.md#replay

export const STALE_AFTER_MS = 30_000;

const runs = processSingleton<Map<string, Promise<void>>>("rxwatchReplayRuns", () => new Map());
const runnerId = processSingleton<string>("rxwatchReplayRunnerId", () => `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`);

export interface RunOptions {
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** The request that started it, for the audit entry's source address. */
  headers?: Headers;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function runJob(id: string, options: RunOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const inbox = createInboxRepository();
  const job = await findReplayJob(id);
  if (!job) return;
  const interval = 1000 / job.eventsPerSecond;
  try {
    for (;;) {
      const progress = await recordReplayProgress(id, runnerId, now());
      if (!progress.isOwner) return;
      if (progress.isCancelRequested) {
        await finishReplayJob(id, runnerId, "cancelled", now(), null);
        log("info", "replay job cancelled", { jobId: id });
        return;
      }
      const items = await nextUnqueuedReplayItems(id, job.eventsPerSecond);
      if (items.length === 0) {
        await finishReplayJob(id, runnerId, "completed", now(), null);
        log("info", "replay job completed", { jobId: id, events: job.total });
        return;
      }
      const started = Date.now();
      for (const [index, item] of items.entries()) {
        const wait = started + index * interval - Date.now();
        if (wait > 0) await sleep(wait);
        // An event deleted since the dry run (retention) has nothing left to replay; it still counts as handled.
        await inbox.requeueEvent(item.eventId, now());
        await markReplayItemQueued(item.id, now());
      }
      signalNewEvents(items.length);
      const rest = started + items.length * interval - Date.now();
      if (rest > 0) await sleep(rest);
    }
  } catch (error) {
    log("error", "replay job failed", { jobId: id, error: summarizeError(error) });
    await finishReplayJob(id, runnerId, "failed", now(), summarizeError(error)).catch(() => undefined);
  }
}

function launch(id: string, options: RunOptions): void {
  if (runs.has(id)) return;
  const run = runJob(id, options).finally(() => runs.delete(id));
  runs.set(id, run);
}

/** Resolves once this process's run of the job (if any) has stopped; for tests and shutdown. */
export async function replayJobSettled(id: string): Promise<void> {
  await runs.get(id);
}

/**
 * Starts a planned job in the background and records who did it in the
 * audit log. Throws AppError `not_found`, or `conflict` when the job is not
 * planned any more (started twice, cancelled).
 */
export async function startReplayJob(id: string, viewer: Viewer, options: RunOptions = {}): Promise<ReplayJobDto> {
  const job = await findReplayJob(id);
  if (!job) throw new AppError("not_found", "No replay job with that id.");
  if (!(await markReplayJobRunning(id, runnerId, (options.now ?? (() => new Date()))()))) {
    throw new AppError("conflict", `This replay is ${job.state}; only a planned replay can be started. Run a new dry run.`);
  }
  const filter = replayFilterSchema.catch({ statuses: ["dead"] }).parse(JSON.parse(job.filter));
  await recordAudit({
    action: "replay.run",
    actor: viewer,
    details: { jobId: id, events: job.total, eventsPerSecond: job.eventsPerSecond, eventType: filter.eventType ?? null, statuses: filter.statuses?.join(",") ?? null },
    headers: options.headers,
  });
  launch(id, options);
  return getReplayJob(id);
}

/** Asks a job to stop before its next event (a planned one is cancelled at once); audited. Throws `not_found` or `conflict` (already ended). */
export async function cancelReplayJob(id: string, viewer: Viewer, now: Date = new Date(), headers?: Headers): Promise<ReplayJobDto> {
  const job = await findReplayJob(id);
  if (!job) throw new AppError("not_found", "No replay job with that id.");
  if (!(await requestReplayCancel(id, now))) throw new AppError("conflict", `This replay has already ${job.state === "completed" ? "completed" : "ended"}.`);
  await recordAudit({ action: "replay.cancel", actor: viewer, details: { jobId: id, queued: job.queued, events: job.total }, headers });
  return getReplayJob(id);
}

/** Takes over running jobs whose instance stopped reporting; called by the alert timer. */
export async function resumeStaleReplayJobs(now: Date = new Date()): Promise<number> {
  const staleBefore = new Date(now.getTime() - STALE_AFTER_MS);
  let resumed = 0;
  for (const { id } of await listStaleRunningReplayJobs(staleBefore)) {
    if (runs.has(id) || !(await claimStaleReplayJob(id, staleBefore, runnerId, now))) continue;
    log("info", "replay job resumed after its runner stopped", { jobId: id });
    launch(id, {});
    resumed += 1;
  }
  return resumed;
}

/** A job with its progress and, for each order the dry run said would change, where that order stands now. */
export async function getReplayJob(id: string): Promise<ReplayJobDto> {
  const job = await findReplayJob(id);
  if (!job) throw new AppError("not_found", "No replay job with that id.");
  const plan = replayPlanSchema.parse(JSON.parse(job.plan));
  const [statuses, orders] = await Promise.all([replayItemStatusCounts(id), findOrderStages(plan.orderChanges.map((change) => change.orderUid))]);
  const orderByUid = new Map(orders.map((order) => [order.orderUid, order]));
  return replayJobDtoSchema.parse({
    id: job.id,
    state: replayStateSchema.catch("failed").parse(job.state),
    filter: replayFilterSchema.parse(JSON.parse(job.filter)),
    plan,
    eventsPerSecond: job.eventsPerSecond,
    createdBy: job.createdByName,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    total: job.total,
    queued: job.queued,
    progress: statuses.map((entry) => ({ value: entry.status, count: entry.count })).sort((a, b) => a.value.localeCompare(b.value)),
    isCancelRequested: job.isCancelRequested,
    error: job.error,
    outcome: plan.orderChanges.map((change) => {
      const order = orderByUid.get(change.orderUid);
      return { orderUid: change.orderUid, expected: change.after, actual: order ? stageStatusOf(order) : null };
    }),
  });
}

/** The most recent jobs, newest first. */
export async function listReplayJobs(take = 10): Promise<ReplayJobDto[]> {
  const jobs = await listRecentReplayJobs(take);
  return Promise.all(jobs.map((job) => getReplayJob(job.id)));
}
