import "server-only";
import { z } from "zod";
import type { Viewer } from "@/lib/accounts";
import {
  DIFFERENCES_PER_PAGE,
  entityDifferenceSchema,
  ORDER_CHECKS_PER_MINUTE,
  reconciliationDifferenceSchema,
  reconciliationRunSchema,
  type OrderCheckDto,
  type ReconciliationDifferenceDto,
  type ReconciliationRunDetailDto,
  type ReconciliationRunDto,
  type StartRunRequest,
} from "@/lib/reconciliation";
import { recordAudit } from "@/server/audit/record-audit";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { processSingleton } from "@/server/core/process-slot";
import { reconcile, reconcileOrder, requestCancel, type ReconcileResult } from "@/server/reconciliation/reconcile";
import { connectedRxScaleClient } from "@/server/reconciliation/rxscale-connection";
import { parseSinceDuration } from "@/server/reconciliation/summary";
import { findOrderRow } from "@/server/repositories/orders";
import { countOrderChecksSince, findReconciliationRun, findRunningReconciliation, listDifferences, listReconciliationRuns } from "@/server/repositories/reconciliation";
import { RxScaleApiError } from "@/server/rxscale/errors";

/*
 * Reconciliation as the API and the view use it: runs started in the
 * background (one at a time), cancelled, filled, listed with their
 * differences, and the trace page's check of one order (rate-limited per
 * person). The comparison itself is server/reconciliation/reconcile.ts.
 */

/** The view lists this many recent runs. */
const RUNS_LISTED = 20;
const ORDER_CHECK_WINDOW_MS = 60_000;

type RunRow = NonNullable<Awaited<ReturnType<typeof findReconciliationRun>>>;

function toRunDto(row: RunRow): ReconciliationRunDto {
  return reconciliationRunSchema.parse({
    ...row,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    since: row.since.toISOString(),
    until: row.until.toISOString(),
  });
}

const storedEntitiesSchema = z.array(entityDifferenceSchema).catch([]);

function toDifferenceDto(row: Awaited<ReturnType<typeof listDifferences>>[number]): ReconciliationDifferenceDto {
  let entities: unknown = [];
  try {
    entities = JSON.parse(row.entities);
  } catch {
    entities = [];
  }
  return reconciliationDifferenceSchema.parse({ orderUid: row.orderUid, class: row.class, likelyCause: row.likelyCause, isFilled: row.isFilled, entities: storedEntitiesSchema.parse(entities) });
}

function actorIdOf(viewer: Viewer): string {
  return viewer.via === "session" ? viewer.userId : `token:${viewer.tokenId}`;
}

function upstream(error: unknown): never {
  if (error instanceof RxScaleApiError) throw new AppError("upstream_error", error.message, { kind: error.kind });
  throw error;
}

export async function listRuns(): Promise<ReconciliationRunDto[]> {
  return (await listReconciliationRuns(RUNS_LISTED)).map(toRunDto);
}

/** One run and a page of its differences, in the order they were found. Throws `not_found`. */
export async function getRun(id: string, after = 0): Promise<ReconciliationRunDetailDto> {
  const row = await findReconciliationRun(id);
  if (!row) throw new AppError("not_found", "No reconciliation run with that id.");
  const rows = await listDifferences(id, DIFFERENCES_PER_PAGE + 1, after);
  const page = rows.slice(0, DIFFERENCES_PER_PAGE);
  return { run: toRunDto(row), differences: page.map(toDifferenceDto), nextAfter: rows.length > DIFFERENCES_PER_PAGE ? (page.at(-1)?.id ?? null) : null };
}

/** This process's runs started from the API, so a second start while one is being launched is refused too. */
const launched = processSingleton<{ runs: Set<Promise<ReconcileResult | null>> }>("rxwatchReconciliationLaunches", () => ({ runs: new Set() }));

/** Resolves once every run this process started from the API has finished; for tests and shutdown. */
export async function reconciliationsSettled(): Promise<void> {
  await Promise.all([...launched.runs]);
}

/**
 * Starts a sweep in the background and answers once it is recorded. Throws
 * `conflict` while another run is going (on any instance), and when no API
 * key is configured. `fill` records RxScale's state of every difference
 * (admins only; the caller checks the role). Audited when the run ends.
 */
export async function startRun(request: StartRunRequest & { fill: boolean; sinceDate?: Date }, viewer: Viewer): Promise<ReconciliationRunDto> {
  const running = await findRunningReconciliation();
  if (running || launched.runs.size > 0) throw new AppError("conflict", "A reconciliation run is already going. Wait for it to finish, or cancel it.", { runId: running?.id ?? null });
  const client = await connectedRxScaleClient();
  const since = request.sinceDate ?? (request.since ? new Date(Date.now() - parseSinceDuration(request.since)) : undefined);
  let started: (runId: string) => void = () => {};
  const isStarted = new Promise<string>((resolve) => (started = resolve));
  const run = reconcile({ trigger: "manual", actor: viewer, actorId: actorIdOf(viewer), fill: request.fill, client, ...(since ? { since } : {}), onStarted: started }).catch((error: unknown) => {
    log("error", "reconciliation run failed", { error: error instanceof Error ? error.name : "error" });
    return null;
  });
  launched.runs.add(run);
  void run.finally(() => launched.runs.delete(run));
  const runId = await Promise.race([isStarted, run.then((result) => result?.runId ?? null)]);
  const row = runId ? await findReconciliationRun(runId) : null;
  if (!row) throw new AppError("internal", "The reconciliation run could not be recorded.");
  return toRunDto(row);
}

/** Fills from RxScale what a run found: a new sweep over the same window, recording RxScale's state of every difference. */
export async function fillRun(id: string, viewer: Viewer): Promise<ReconciliationRunDto> {
  const row = await findReconciliationRun(id);
  if (!row) throw new AppError("not_found", "No reconciliation run with that id.");
  if (row.trigger === "order") throw new AppError("conflict", "This was a check of one order; fill from a sweep instead.");
  return startRun({ fill: true, sinceDate: row.since }, viewer);
}

/** Asks a running run to stop after its current page; audited. Throws `not_found`, or `conflict` when it is not running. */
export async function cancelRun(id: string, viewer: Viewer, headers?: Headers): Promise<ReconciliationRunDto> {
  const row = await findReconciliationRun(id);
  if (!row) throw new AppError("not_found", "No reconciliation run with that id.");
  if (!(await requestCancel(id))) throw new AppError("conflict", `This run has already ${row.state === "cancelled" ? "been cancelled" : row.state === "failed" ? "failed" : "finished"}.`);
  await recordAudit({ action: "reconciliation.cancel", actor: viewer, target: { type: "reconciliation_run", id }, headers });
  const after = await findReconciliationRun(id);
  return toRunDto(after ?? row);
}

/**
 * The trace page's "Check this order against RxScale": compares it now and
 * records the check; audited. At most {@link ORDER_CHECKS_PER_MINUTE} a
 * minute per person, counted from the database so every instance agrees:
 * the next is a `rate_limited` (429) saying when to try again.
 */
export async function checkOrder(orderUid: string, viewer: Viewer, headers?: Headers, now: Date = new Date()): Promise<OrderCheckDto> {
  const actorId = actorIdOf(viewer);
  const recent = await countOrderChecksSince(actorId, new Date(now.getTime() - ORDER_CHECK_WINDOW_MS));
  if (recent.count >= ORDER_CHECKS_PER_MINUTE) {
    const retryAfterSeconds = Math.max(1, Math.ceil(((recent.oldest?.getTime() ?? now.getTime()) + ORDER_CHECK_WINDOW_MS - now.getTime()) / 1000));
    throw new AppError("rate_limited", `You can check ${ORDER_CHECKS_PER_MINUTE} orders a minute against RxScale; try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
  const client = await connectedRxScaleClient();
  const isKnownToRxWatch = (await findOrderRow(orderUid)) !== null;
  const check = await reconcileOrder(orderUid, { client, actorId, isKnownToRxWatch, now: () => now }).catch(upstream);
  await recordAudit({ action: "reconciliation.check", actor: viewer, target: { type: "order", id: orderUid }, details: { runId: check.runId, class: check.class }, headers });
  return { runId: check.runId, orderUid, class: check.class, likelyCause: check.likelyCause, entities: check.differences, checkedAt: check.checkedAt.toISOString() };
}
