import "server-only";
// Gives pending I/O (webhooks waiting to be acknowledged) a turn between slices of a batch.
import { setImmediate as yieldToIo } from "node:timers/promises";
import { processSingleton, processSlot } from "@/server/core/process-slot";
import { isFactKind, stageSchema, type FactKind } from "@/lib/lifecycle";
import { extractOrderFact } from "@/lib/order-facts";
import { patientSearchKey } from "@/server/crypto/search-key";
import { projectOrder, stuckInfo, type OrderFact } from "@/lib/order-projection";
import { orderTimings } from "@/lib/order-timings";
import type { StuckThresholdSettings } from "@/lib/settings";
import { getSettings } from "@/server/settings/settings";
import { publishChanges } from "@/server/live/notices";
import { EXCLUSIVE_JOBS, runSerialized } from "@/server/timers/leader-lock";
import type { InboxEvent } from "@/server/processing/event";
import {
  countFactsOfOrders,
  listFactsOfOrders,
  listOpenOrderStages,
  listStoredFactKinds,
  setOrderStuckAt,
  upsertOrderFacts,
  upsertOrderRows,
  type OrderFactRow,
  type OrderWrite,
} from "@/server/repositories/orders";
import { upsertReconciledFact } from "@/server/repositories/reconciliation";
import { RECONCILIATION_EVENT_TYPE } from "@/lib/reconciliation";

/*
 * Keeps the `order` table equal to projectOrder(all facts of the order).
 * Handlers record an event's fact, then the order is rebuilt from all its
 * facts, so the result never depends on arrival or processing order.
 */

function toRow(fact: OrderFact): OrderFactRow {
  return {
    eventId: fact.eventId,
    orderUid: fact.orderUid,
    kind: fact.kind,
    eventType: fact.eventType,
    entityUid: fact.entityUid,
    status: fact.status,
    dataUpdatedAt: fact.updatedAt === null ? null : BigInt(fact.updatedAt),
    timestamp: BigInt(fact.timestamp),
    receivedAt: new Date(fact.receivedAt),
    pharmacyUid: fact.pharmacyUid,
    pharmacyName: fact.pharmacyName,
    deliveryType: fact.deliveryType,
    shopOrderName: fact.shopOrderName,
    patientKey: fact.patientKey,
  };
}

/** A stored fact as lib/order-projection reads it; null for a kind this version does not know. */
export function fromRow(row: OrderFactRow): OrderFact | null {
  if (!isFactKind(row.kind)) return null;
  return {
    eventId: row.eventId,
    kind: row.kind,
    eventType: row.eventType,
    orderUid: row.orderUid,
    entityUid: row.entityUid,
    status: row.status,
    updatedAt: row.dataUpdatedAt === null ? null : Number(row.dataUpdatedAt),
    timestamp: Number(row.timestamp),
    receivedAt: row.receivedAt.getTime(),
    pharmacyUid: row.pharmacyUid,
    pharmacyName: row.pharmacyName,
    deliveryType: row.deliveryType,
    shopOrderName: row.shopOrderName,
    patientKey: row.patientKey,
  };
}

const trackedKindsSlot = processSlot<Set<FactKind>>("rxwatchTrackedKinds");

/** Kinds of event this shop receives at all: a missing step of a kind it never receives is no gap. */
async function trackedKinds(newKind: FactKind): Promise<ReadonlySet<FactKind>> {
  if (!trackedKindsSlot.value) {
    trackedKindsSlot.value = new Set((await listStoredFactKinds()).filter(isFactKind));
  }
  trackedKindsSlot.value.add(newKind);
  return trackedKindsSlot.value;
}

/**
 * Runs rebuilds of the same order one at a time in this process. A batch
 * takes all its orders at once (synchronously, so two batches can never wait
 * for each other in a cycle).
 */
async function withOrdersLocked(orderUids: readonly string[], work: () => Promise<void>): Promise<void> {
  const locks = processSingleton<Map<string, Promise<void>>>("rxwatchOrderLocks", () => new Map());
  const previous = orderUids.map((orderUid) => (locks.get(orderUid) ?? Promise.resolve()).catch(() => undefined));
  const current = Promise.all(previous).then(work);
  for (const orderUid of orderUids) locks.set(orderUid, current);
  try {
    await current;
  } finally {
    for (const orderUid of orderUids) if (locks.get(orderUid) === current) locks.delete(orderUid);
  }
}

/** Orders projected per slice before the event loop gets a turn. */
const ORDERS_PER_SLICE = 16;

/**
 * The `order` row projected from all of an order's facts, and whether it is
 * stuck at `now`. rebuildOrders writes it; scripts/bench-queries.ts seeds its
 * rows with it, so the benchmark reads rows exactly as production writes them.
 */
export function projectOrderRow(
  orderUid: string,
  facts: readonly OrderFact[],
  trackedKinds: ReadonlySet<FactKind>,
  thresholds: StuckThresholdSettings,
  now: Date,
): { row: OrderWrite; isStuck: boolean } {
  const projection = projectOrder(orderUid, facts, trackedKinds);
  const stuck = stuckInfo(projection, thresholds, Math.floor(now.getTime() / 1000));
  const timings = orderTimings(projection, facts, thresholds);
  const row: OrderWrite = {
    orderUid,
    stage: projection.stage,
    status: projection.status,
    reachedStage: projection.reachedStage,
    stageSince: new Date(projection.stageSince * 1000),
    firstEventAt: new Date(projection.firstEventAt * 1000),
    lastEventAt: new Date(projection.lastEventAt * 1000),
    pharmacyUid: projection.pharmacyUid,
    pharmacyName: projection.pharmacyName,
    deliveryType: projection.deliveryType,
    shopOrderName: projection.shopOrderName,
    patientKey: projection.patientKey,
    gaps: projection.gaps.join(","),
    entities: JSON.stringify({ entities: projection.entities, milestones: projection.milestones, superseded: projection.supersededEventIds }),
    eventCount: projection.eventCount,
    stuckAt: stuck.stuckSince === null ? null : new Date(stuck.stuckSince * 1000),
    furthestStage: timings.furthestStage,
    orderedSeconds: timings.stageSeconds.ordered,
    prescriptionApprovedSeconds: timings.stageSeconds.prescription_approved,
    prescriptionSignedSeconds: timings.stageSeconds.prescription_signed,
    sentToPharmacySeconds: timings.stageSeconds.sent_to_pharmacy,
    inPharmacySeconds: timings.stageSeconds.in_pharmacy,
    shippedSeconds: timings.stageSeconds.shipped,
    toShipSeconds: timings.toShipSeconds,
    wentOutOfStock: timings.wentOutOfStock,
    firstStuckAt: timings.firstStuckAt === null ? null : new Date(timings.firstStuckAt * 1000),
  };
  return { row, isStuck: stuck.isStuck };
}

/**
 * Rebuilds each given order once from all its facts: one query reads the
 * facts of every order, one statement writes every order row. Another
 * instance may add a fact meanwhile; the count check after writing catches
 * that and rebuilds those orders again, so the last writer always leaves the
 * projection of every fact.
 */
async function rebuildOrders(kindsByOrder: ReadonlyMap<string, ReadonlySet<FactKind>>, now: Date): Promise<void> {
  const orderUids = [...kindsByOrder.keys()];
  if (orderUids.length === 0) return;
  await withOrdersLocked(orderUids, async () => {
    let tracked: ReadonlySet<FactKind> = new Set();
    for (const kinds of kindsByOrder.values()) for (const kind of kinds) tracked = await trackedKinds(kind);
    const thresholds = await getSettings("stuckThresholds");
    const changed = new Set<string>();
    let pending = orderUids;
    for (let round = 0; round < 5 && pending.length > 0; round++) {
      const factsByOrder = new Map<string, OrderFact[]>();
      for (const row of await listFactsOfOrders(pending)) {
        const fact = fromRow(row);
        if (!fact) continue;
        const facts = factsByOrder.get(row.orderUid) ?? [];
        facts.push(fact);
        factsByOrder.set(row.orderUid, facts);
      }
      const writes: OrderWrite[] = [];
      for (const [orderUid, facts] of factsByOrder) {
        if (writes.length > 0 && writes.length % ORDERS_PER_SLICE === 0) await yieldToIo();
        writes.push(projectOrderRow(orderUid, facts, tracked, thresholds, now).row);
        changed.add(orderUid);
      }
      await upsertOrderRows(writes);
      const counts = await countFactsOfOrders(writes.map((write) => write.orderUid));
      pending = writes.filter((write) => counts.get(write.orderUid) !== write.eventCount).map((write) => write.orderUid);
    }
    await publishChanges([...changed].map((orderUid) => ({ kind: "order" as const, key: orderUid })));
  });
}

/** Rebuilds one order from all its facts (see rebuildOrders). */
export async function rebuildOrder(orderUid: string, kindHint: FactKind, now: Date = new Date()): Promise<void> {
  await rebuildOrders(new Map([[orderUid, new Set([kindHint])]]), now);
}

/** An event the worker hands over in a batch, with the fact kind its class decided. */
export interface OrderEventOfKind {
  event: InboxEvent;
  kind: FactKind;
}

/**
 * Records what each event says about its order and rebuilds every order the
 * batch touches once. Events that are not about an order, or lack the
 * identifiers to place one, change nothing (they stay in the deliveries list).
 * Throws when anything could not be written; the caller then retries the
 * events one by one, so one bad event fails alone.
 */
export async function recordOrderEvents(events: readonly OrderEventOfKind[], now: Date = new Date()): Promise<void> {
  const eventNames = await getSettings("eventNames");
  const facts = events.flatMap(({ event, kind }) => {
    const fact = extractOrderFact(
      { id: event.id, type: event.type, timestamp: event.timestamp, data: event.data, receivedAt: event.firstReceivedAt.getTime() },
      eventNames,
      patientSearchKey,
      kind,
    );
    return fact ? [fact] : [];
  });
  if (facts.length === 0) return;
  await upsertOrderFacts(facts.map(toRow));
  // Acknowledgements that queued up meanwhile go before the orders are rebuilt (the processing thread also ingests).
  await yieldToIo();
  const kindsByOrder = new Map<string, Set<FactKind>>();
  for (const fact of facts) kindsByOrder.set(fact.orderUid, (kindsByOrder.get(fact.orderUid) ?? new Set()).add(fact.kind));
  await rebuildOrders(kindsByOrder, now);
}

/** Records what `event` says about its order and rebuilds the order (a batch of one; see recordOrderEvents). */
export async function recordOrderEvent(event: InboxEvent, kind: FactKind): Promise<void> {
  await recordOrderEvents([{ event, kind }]);
}

/**
 * Recomputes every open order's stuck deadline, e.g. after the thresholds
 * changed. Works in batches. Runs serialized across instances: two saves on
 * two instances must not interleave, or the older thresholds could win for
 * some orders; the later run reads the thresholds after the earlier finished.
 */
export async function recomputeStuckDeadlines(): Promise<number> {
  return runSerialized(EXCLUSIVE_JOBS.stuckDeadlines, async () => {
    const thresholds = await getSettings("stuckThresholds");
    let after: string | null = null;
    let count = 0;
    for (;;) {
      const batch = await listOpenOrderStages(after, 500);
      if (batch.length === 0) return count;
      for (const order of batch) {
        const stuck = stuckInfo({ stage: stageSchema.catch("other").parse(order.stage), stageSince: Math.floor(order.stageSince.getTime() / 1000) }, thresholds, 0);
        await setOrderStuckAt(order.orderUid, stuck.stuckSince === null ? null : new Date(stuck.stuckSince * 1000));
        count++;
      }
      after = batch[batch.length - 1]?.orderUid ?? null;
    }
  });
}

/** One entity's state as RxScale's orders API reported it, to be recorded because no webhook said it. */
export interface ReconciledEntity {
  kind: FactKind;
  uid: string;
  status: string;
  /** RxScale's updated_at (Unix seconds); null when its answer had none. */
  updatedAt: number | null;
  pharmacyUid?: string | null;
  pharmacyName?: string | null;
}

/**
 * Records RxScale's state of one order's entities as facts whose source is
 * reconciliation, then rebuilds the order. They are ordered by updated_at like
 * any fact, so a later webhook still wins and a stale one is still superseded;
 * the id is derived from the content, so filling the same state twice stores
 * it once (docs/reconciliation.md#filling-from-rxscale).
 */
export async function recordReconciledState(orderUid: string, entities: readonly ReconciledEntity[], context: { shopOrderName: string | null; readAt: Date }): Promise<number> {
  const readAtSeconds = Math.floor(context.readAt.getTime() / 1000);
  for (const entity of entities) {
    const version = entity.updatedAt ?? readAtSeconds;
    await upsertReconciledFact(
      toRow({
        eventId: `rec_${entity.kind}_${entity.uid}_${version}_${entity.status}`.slice(0, 190),
        orderUid,
        kind: entity.kind,
        eventType: RECONCILIATION_EVENT_TYPE,
        entityUid: entity.uid,
        status: entity.status,
        updatedAt: version,
        timestamp: version,
        receivedAt: context.readAt.getTime(),
        pharmacyUid: entity.pharmacyUid ?? null,
        pharmacyName: entity.pharmacyName ?? null,
        deliveryType: null,
        shopOrderName: entity.kind === "order" ? context.shopOrderName : null,
        patientKey: null,
      }),
    );
  }
  const first = entities[0];
  if (first) await rebuildOrder(orderUid, first.kind);
  return entities.length;
}
