import "server-only";
import { compareOrder, type DifferenceClass, type EntityDifference, type LikelyCause, type ReconciliationSummary, type RemoteEntity } from "@/lib/reconciliation";
import type { OrderFact } from "@/lib/order-projection";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { recordAudit, type AuditActor } from "@/server/audit/record-audit";
import { fromRow, recordReconciledState } from "@/server/orders/order-projector";
import { listStoredFactKinds } from "@/server/repositories/orders";
import {
  cancelRunningReconciliation,
  countDeliveriesAround,
  failAbandonedRuns,
  findLastSweepUntil,
  findReconciliationRun,
  finishReconciliationRun,
  insertDifferences,
  insertReconciliationRun,
  listFactsOfOrders,
  listOrderUidsActiveBetween,
  updateReconciliationCounts,
  type DifferenceWrite,
  type ReconciliationCounts,
  type ReconciliationTrigger,
} from "@/server/repositories/reconciliation";
import type { RxScaleClient } from "@/server/rxscale/client";
import { RxScaleApiError } from "@/server/rxscale/errors";
import type { RxScaleOrderState } from "@/server/rxscale/order-schemas";
import { EXCLUSIVE_JOBS, runSerialized, type ExclusiveRunner } from "@/server/timers/leader-lock";

/*
 * Compares RxScale's orders changed since the watermark with RxWatch's
 * projection and records the run (docs/reconciliation.md). Runs one at a time
 * across instances; a cancel is a state change on the run row, noticed
 * between pages, so it works from any instance.
 */

/** Re-read this much before the last run's end: RxScale's updated_at and our clocks may disagree a little. */
export const RECONCILE_OVERLAP_MS = 5 * 60 * 1000;
/** The first sweep, with no earlier run, looks back this far. */
export const FIRST_SWEEP_LOOKBACK_MS = 24 * 60 * 60 * 1000;
export const ORDERS_PER_PAGE = 100;
/** Bounds one run: 2,000 pages of 100 orders. */
export const MAX_PAGES_PER_RUN = 2_000;
/** RxWatch orders RxScale's list did not return are looked up one by one, at most this many per run. */
export const MAX_UNKNOWN_LOOKUPS = 200;
/** A likely cause looks at deliveries this long before and after RxScale's change. */
const CAUSE_WINDOW_MS = 10 * 60 * 1000;

export interface ReconcileOptions {
  trigger: ReconciliationTrigger;
  actor: AuditActor;
  actorId: string | null;
  /** Start of the window; default: the last sweep's end less the overlap, or 24 h ago. */
  since?: Date;
  /** Record RxScale's state for every difference. */
  fill: boolean;
  client: RxScaleClient;
  now?: () => Date;
  /** Called after each page with the counts so far. */
  onProgress?: (counts: ReconciliationCounts) => void;
  /** Serializes runs across instances: this process's runner, unless a test plays several instances. */
  serializer?: Pick<ExclusiveRunner, "runSerialized">;
  /** Called once the run is recorded (after any other instance's run finished). */
  onStarted?: (runId: string) => void;
}

export interface ReconcileResult extends ReconciliationSummary {
  runId: string;
  state: "completed" | "cancelled" | "failed";
  error: string | null;
}

/** RxScale's entities of an order in the comparison's terms; prescriptions only when the answer had them. */
export function remoteEntitiesOf(order: RxScaleOrderState): RemoteEntity[] {
  return [
    { kind: "order", uid: order.uid, status: order.status, updatedAt: order.updatedAt },
    ...(order.prescriptions ?? []).map((entity) => ({ kind: "prescription" as const, ...entity })),
    ...(order.pharmacyOrders ?? []).map((entity) => ({ kind: "pharmacy_order" as const, ...entity })),
  ];
}

class Judge {
  private readonly windows = new Map<number, { all: number; badSignature: number }>();
  constructor(private readonly receivedKinds: ReadonlySet<string>) {}

  /** The likely cause of one difference, from RxWatch's own records around RxScale's change. */
  async causeOf(differences: readonly EntityDifference[], nowSeconds: number): Promise<LikelyCause> {
    if (differences.some((difference) => !this.receivedKinds.has(difference.kind))) return "no_subscription";
    const at = Math.max(...differences.map((difference) => difference.rxscaleUpdatedAt ?? nowSeconds));
    const bucket = Math.floor(at / 60);
    let counts = this.windows.get(bucket);
    if (!counts) {
      counts = await countDeliveriesAround(new Date(bucket * 60_000 - CAUSE_WINDOW_MS), new Date(bucket * 60_000 + CAUSE_WINDOW_MS));
      this.windows.set(bucket, counts);
    }
    if (counts.badSignature > 0) return "rejected_signature";
    return counts.all === 0 ? "rxwatch_down" : "nothing_received";
  }
}

/** Runs one reconciliation, waiting for any other instance's run to finish first. */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const serialize = options.serializer?.runSerialized ?? runSerialized;
  return serialize(EXCLUSIVE_JOBS.reconciliation, () => reconcileNow(options));
}

async function reconcileNow(options: ReconcileOptions): Promise<ReconcileResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  // Serialized, so a "running" row from before is from a process that stopped mid-run.
  await failAbandonedRuns(startedAt);
  const lastUntil = options.since ? null : await findLastSweepUntil();
  const since = options.since ?? (lastUntil ? new Date(lastUntil.getTime() - RECONCILE_OVERLAP_MS) : new Date(startedAt.getTime() - FIRST_SWEEP_LOOKBACK_MS));
  const runId = await insertReconciliationRun({ trigger: options.trigger, startedAt, since, until: startedAt, actorId: options.actorId });
  options.onStarted?.(runId);
  const counts: ReconciliationCounts = { checked: 0, inSync: 0, missing: 0, behind: 0, unknownToRxScale: 0, filled: 0, requests: 0 };
  const judge = new Judge(new Set(await listStoredFactKinds()));
  const seen = new Set<string>();
  let state: ReconcileResult["state"] = "completed";
  let error: string | null = null;

  const record = async (orders: RxScaleOrderState[]) => {
    const facts = await listFactsOfOrders(orders.map((order) => order.uid));
    const byOrder = new Map<string, OrderFact[]>();
    for (const row of facts) {
      const fact = fromRow(row);
      if (fact) byOrder.set(fact.orderUid, [...(byOrder.get(fact.orderUid) ?? []), fact]);
    }
    const rows: DifferenceWrite[] = [];
    for (const order of orders) {
      if (seen.has(order.uid)) continue;
      seen.add(order.uid);
      counts.checked += 1;
      const comparison = compareOrder(remoteEntitiesOf(order), byOrder.get(order.uid) ?? []);
      if (comparison.class === "in_sync") {
        counts.inSync += 1;
        continue;
      }
      counts[comparison.class] += 1;
      if (options.fill) {
        await recordReconciledState(order.uid, comparison.entities, { shopOrderName: order.shopOrderName, readAt: now() });
        counts.filled += 1;
      }
      rows.push(difference(runId, order.uid, comparison.class, comparison.differences, await judge.causeOf(comparison.differences, Math.floor(now().getTime() / 1000)), options.fill, now()));
    }
    await insertDifferences(rows);
  };

  try {
    for (let page = 1; page <= MAX_PAGES_PER_RUN; page += 1) {
      if ((await findReconciliationRun(runId))?.state === "cancelled") {
        state = "cancelled";
        break;
      }
      const answer = await options.client.listOrders({ page, limit: ORDERS_PER_PAGE, updatedAtFrom: Math.floor(since.getTime() / 1000) });
      counts.requests += 1;
      await record(answer.orders);
      await updateReconciliationCounts(runId, counts);
      options.onProgress?.({ ...counts });
      if (answer.hasMore === false || answer.size < ORDERS_PER_PAGE) break;
    }
    if (state === "completed") await findUnknownToRxScale(options.client, runId, since, startedAt, seen, counts);
  } catch (caught) {
    state = "failed";
    error = caught instanceof RxScaleApiError || caught instanceof AppError ? caught.message : "Reconciliation failed; see the server log.";
    if (!(caught instanceof RxScaleApiError || caught instanceof AppError)) log("error", "reconciliation failed", { runId, error: caught instanceof Error ? caught.name : "error" });
  }
  await finishReconciliationRun(runId, { state, finishedAt: now(), error, ...counts });
  await recordAudit({
    action: options.fill ? "reconciliation.fill" : "reconciliation.run",
    actor: options.actor,
    outcome: state === "failed" ? "failure" : "success",
    target: { type: "reconciliation_run", id: runId },
    details: { trigger: options.trigger, checked: counts.checked, missing: counts.missing, behind: counts.behind, unknownToRxScale: counts.unknownToRxScale, filled: counts.filled },
  });
  const { requests: _requests, ...summary } = counts;
  return { runId, state, error, ...summary };
}

/** RxWatch orders active in the window that RxScale's list did not return: looked up one by one; a 404 means RxScale does not know them. */
async function findUnknownToRxScale(client: RxScaleClient, runId: string, since: Date, until: Date, seen: ReadonlySet<string>, counts: ReconciliationCounts): Promise<void> {
  let after: string | null = null;
  let lookups = 0;
  const rows: DifferenceWrite[] = [];
  while (lookups < MAX_UNKNOWN_LOOKUPS) {
    const batch = await listOrderUidsActiveBetween(since, until, after, 500);
    if (batch.length === 0) break;
    after = batch[batch.length - 1] ?? null;
    for (const orderUid of batch) {
      if (seen.has(orderUid) || lookups >= MAX_UNKNOWN_LOOKUPS) continue;
      lookups += 1;
      counts.requests += 1;
      const found = await client.findOrder(orderUid);
      if (found) continue;
      counts.checked += 1;
      counts.unknownToRxScale += 1;
      rows.push(difference(runId, orderUid, "unknown_to_rxscale", [], "not_at_rxscale", false, new Date()));
    }
  }
  await insertDifferences(rows);
}

function difference(runId: string, orderUid: string, kind: DifferenceClass, differences: readonly EntityDifference[], likelyCause: LikelyCause, isFilled: boolean, createdAt: Date): DifferenceWrite {
  return { runId, orderUid, class: kind, entities: JSON.stringify(differences), likelyCause, isFilled, createdAt };
}

export interface OrderCheck {
  runId: string;
  class: "in_sync" | DifferenceClass;
  likelyCause: LikelyCause | null;
  differences: EntityDifference[];
  checkedAt: Date;
}

/**
 * Compares one order with RxScale now, and records it as a run of trigger
 * `order` with at most one difference. Not serialized with sweeps: it costs
 * one request and records nothing but the comparison. Throws AppError
 * `not_found` when neither side knows the order.
 */
export async function reconcileOrder(orderUid: string, options: { client: RxScaleClient; actorId: string | null; isKnownToRxWatch: boolean; now?: () => Date }): Promise<OrderCheck> {
  const now = options.now ?? (() => new Date());
  const checkedAt = now();
  const remote = await options.client.findOrder(orderUid);
  if (!remote && !options.isKnownToRxWatch) throw new AppError("not_found", "Neither RxWatch nor RxScale knows an order with that uid.");
  const runId = await insertReconciliationRun({ trigger: "order", startedAt: checkedAt, since: checkedAt, until: checkedAt, actorId: options.actorId });
  const counts: ReconciliationCounts = { checked: 1, inSync: 0, missing: 0, behind: 0, unknownToRxScale: 0, filled: 0, requests: 1 };
  let check: OrderCheck;
  if (!remote) {
    counts.unknownToRxScale = 1;
    check = { runId, class: "unknown_to_rxscale", likelyCause: "not_at_rxscale", differences: [], checkedAt };
  } else {
    const facts = (await listFactsOfOrders([orderUid])).flatMap((row) => fromRow(row) ?? []);
    const comparison = compareOrder(remoteEntitiesOf(remote), facts);
    if (comparison.class === "in_sync") {
      counts.inSync = 1;
      check = { runId, class: "in_sync", likelyCause: null, differences: [], checkedAt };
    } else {
      counts[comparison.class] = 1;
      const judge = new Judge(new Set(await listStoredFactKinds()));
      check = { runId, class: comparison.class, likelyCause: await judge.causeOf(comparison.differences, Math.floor(checkedAt.getTime() / 1000)), differences: comparison.differences, checkedAt };
    }
  }
  if (check.class !== "in_sync" && check.likelyCause) await insertDifferences([difference(runId, orderUid, check.class, check.differences, check.likelyCause, false, checkedAt)]);
  await finishReconciliationRun(runId, { state: "completed", finishedAt: now(), error: null, ...counts });
  return check;
}

/** Asks a running run to stop after its current page; false when it is not running. */
export async function requestCancel(runId: string): Promise<boolean> {
  return cancelRunningReconciliation(runId);
}
