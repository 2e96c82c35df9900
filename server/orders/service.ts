import "server-only";
import { decodeKeysetCursor, encodeKeysetCursor } from "@/server/core/keyset-cursor";
import { z } from "zod";
import { PROGRESS_STAGES, STAGE_LABELS, progressIndex, stageOf, stageSchema, FACT_KINDS, NEXT_STEP, isProgressStage, type ProgressStage } from "@/lib/lifecycle";
import { stuckInfo } from "@/lib/order-projection";
import { TIME_RANGE_SECONDS, type OrderSummaryDto, type OrdersPageDto, type OrdersQuery } from "@/lib/orders";
import type { OrderTraceDto, TimelineStepDto, TraceEventDto } from "@/lib/order-trace";
import { hasRole, type Role } from "@/lib/roles";
import { AppError } from "@/server/core/errors";
import { getSettings } from "@/server/settings/settings";
import { describeSecret } from "@/server/deliveries/service";
import { countOrdersByStage, findOrderRow, listFactsOfOrder, listOrderRows, listTraceEvents, type OrderCursor } from "@/server/repositories/orders";

function encodeCursor(cursor: OrderCursor): string {
  return encodeKeysetCursor({ at: cursor.lastEventAt, id: cursor.orderUid });
}

function decodeCursor(value: string | undefined): OrderCursor | null {
  if (!value) return null;
  const { at, id } = decodeKeysetCursor(value, "start from the first page");
  return { lastEventAt: at, orderUid: id };
}

const storedEntitiesSchema = z.object({
  entities: z.array(z.object({ kind: z.enum(FACT_KINDS), uid: z.string(), status: z.string(), stage: stageSchema, at: z.number() })),
  milestones: z.record(z.string(), z.number()),
  superseded: z.array(z.string()),
});

type OrderRow = NonNullable<Awaited<ReturnType<typeof findOrderRow>>>;

function gapsOf(row: OrderRow): ProgressStage[] {
  return row.gaps.split(",").filter((stage): stage is ProgressStage => (PROGRESS_STAGES as readonly string[]).includes(stage));
}

/** An order row as the orders list shows it. */
export function toSummary(row: OrderRow, now: Date): OrderSummaryDto {
  const stage = stageSchema.catch("other").parse(row.stage);
  const reached = row.reachedStage && (PROGRESS_STAGES as readonly string[]).includes(row.reachedStage) ? (row.reachedStage as ProgressStage) : null;
  const expectedNext = isProgressStage(stage) ? NEXT_STEP[stage] : stage === "on_hold" ? "the hold is resolved" : null;
  return {
    orderUid: row.orderUid,
    stage,
    status: row.status,
    reachedStage: reached,
    stageSince: row.stageSince.toISOString(),
    firstEventAt: row.firstEventAt.toISOString(),
    lastEventAt: row.lastEventAt.toISOString(),
    pharmacyName: row.pharmacyName,
    shopOrderName: row.shopOrderName,
    deliveryType: row.deliveryType,
    gaps: gapsOf(row),
    isStuck: row.stuckAt !== null && row.stuckAt <= now,
    stuckSince: row.stuckAt?.toISOString() ?? null,
    expectedNext,
    eventCount: row.eventCount,
  };
}

/** One page of the orders list with counts per stage, for GET /api/orders. */
export async function listOrders(query: OrdersQuery, now: Date = new Date()): Promise<OrdersPageDto> {
  const range = TIME_RANGE_SECONDS[query.range];
  const filter = {
    stage: query.stage,
    status: query.status,
    pharmacy: query.pharmacy,
    isStuckOnly: query.stuck,
    lastEventAfter: range === null ? undefined : new Date(now.getTime() - range * 1000),
    search: query.q,
    now,
  };
  const [rows, counts] = await Promise.all([listOrderRows(filter, decodeCursor(query.cursor), query.limit), countOrdersByStage(filter)]);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    orders: page.map((row) => toSummary(row, now)),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ lastEventAt: last.lastEventAt, orderUid: last.orderUid }) : null,
    stageCounts: counts.byStage,
    stuckCount: counts.stuck,
  };
}

/** Stages known only from RxScale's orders API, with the time RxWatch first read each there. */
function stagesReadFromRxScale(facts: readonly { stage: string; source: string; receivedAt: Date }[]): Map<string, Date> {
  const fromWebhooks = new Set(facts.filter((fact) => fact.source !== "reconciliation").map((fact) => fact.stage));
  const read = new Map<string, Date>();
  for (const fact of facts) {
    if (fact.source !== "reconciliation" || fromWebhooks.has(fact.stage)) continue;
    const known = read.get(fact.stage);
    if (!known || fact.receivedAt < known) read.set(fact.stage, fact.receivedAt);
  }
  return read;
}

function timeline(row: OrderRow, milestones: Record<string, number>, readFromRxScale: Map<string, Date>): TimelineStepDto[] {
  const reached = row.reachedStage ? progressIndex(stageSchema.catch("other").parse(row.reachedStage)) : -1;
  const gaps = new Set(gapsOf(row));
  let previousAt: number | null = null;
  let nextMarked = false;
  return PROGRESS_STAGES.map((stage, index) => {
    const at = milestones[stage] ?? null;
    let state: TimelineStepDto["state"];
    if (at !== null) state = "received";
    else if (gaps.has(stage)) state = "gap";
    else if (index > reached && !nextMarked && !["cancelled", "declined", "completed"].includes(row.stage)) {
      state = "next";
      nextMarked = true;
    } else state = "pending";
    const sincePreviousMs = at !== null && previousAt !== null ? (at - previousAt) * 1000 : null;
    if (at !== null) previousAt = at;
    const readFromRxScaleAt = at === null ? null : (readFromRxScale.get(stage)?.toISOString() ?? null);
    return { stage, label: STAGE_LABELS[stage], state, at: at === null ? null : new Date(at * 1000).toISOString(), sincePreviousMs, typicalMs: null, readFromRxScaleAt };
  });
}

/**
 * Everything about one order for its trace page. Deliveries and processing
 * attempts are for support and admins; staff see the progress only.
 */
export async function getOrderTrace(orderUid: string, role: Role, now: Date = new Date()): Promise<OrderTraceDto> {
  const row = await findOrderRow(orderUid);
  if (!row) throw new AppError("not_found", "No order with that uid has reached RxWatch.");
  const stored = storedEntitiesSchema.catch({ entities: [], milestones: {}, superseded: [] }).parse(JSON.parse(row.entities));
  const superseded = new Set(stored.superseded);
  const [facts, events] = await Promise.all([listFactsOfOrder(orderUid), listTraceEvents(orderUid)]);
  const factByEvent = new Map(facts.map((fact) => [fact.eventId, fact]));
  const canSeeDeliveries = hasRole(role, "support");
  const summary = toSummary(row, now);
  const stuck = stuckInfo({ stage: summary.stage, stageSince: Math.floor(row.stageSince.getTime() / 1000) }, await getSettings("stuckThresholds"), Math.floor(now.getTime() / 1000));
  // The trace names the secret that verified each delivery as Settings shows it, not by its id.
  const secretIds = new Set(canSeeDeliveries ? events.flatMap((event) => event.deliveries.flatMap((delivery) => (delivery.matchedSecretId ? [delivery.matchedSecretId] : []))) : []);
  const secretNames = new Map(await Promise.all([...secretIds].map(async (id) => [id, await describeSecret(id)] as const)));

  const kindOf = (kind: string) => z.enum(FACT_KINDS).catch("order").parse(kind);
  const fromWebhooks: TraceEventDto[] = events.flatMap((event) => {
    const fact = factByEvent.get(event.id);
    if (!fact) return [];
    const kind = kindOf(fact.kind);
    const at = Number(fact.dataUpdatedAt ?? fact.timestamp);
    return [
      {
        eventId: event.id,
        eventType: event.eventType,
        kind,
        entityUid: fact.entityUid,
        status: fact.status,
        stage: stageOf(kind, fact.status),
        at: new Date(at * 1000).toISOString(),
        receivedAt: event.firstReceivedAt.toISOString(),
        isSuperseded: superseded.has(event.id),
        duplicateCount: event.duplicateCount,
        processingStatus: event.status,
        source: "webhook" as const,
        deliveries: canSeeDeliveries
          ? event.deliveries.map((delivery) => ({
              ...delivery,
              receivedAt: delivery.receivedAt.toISOString(),
              matchedSecretLabel: delivery.matchedSecretId ? (secretNames.get(delivery.matchedSecretId) ?? "a secret since removed") : null,
            }))
          : [],
        attempts: canSeeDeliveries
          ? event.processingLog.map((attempt) => ({ ...attempt, startedAt: attempt.startedAt.toISOString(), finishedAt: attempt.finishedAt?.toISOString() ?? null }))
          : [],
      },
    ];
  });
  // Facts read from RxScale's orders API have no event behind them: listed as what they are, with the time they were read.
  const fromRxScale: TraceEventDto[] = facts
    .filter((fact) => fact.source === "reconciliation")
    .map((fact) => ({
      eventId: fact.eventId,
      eventType: fact.eventType,
      kind: kindOf(fact.kind),
      entityUid: fact.entityUid,
      status: fact.status,
      stage: stageOf(kindOf(fact.kind), fact.status),
      at: new Date(Number(fact.dataUpdatedAt ?? fact.timestamp) * 1000).toISOString(),
      receivedAt: fact.receivedAt.toISOString(),
      isSuperseded: superseded.has(fact.eventId),
      duplicateCount: 0,
      processingStatus: "processed",
      source: "reconciliation" as const,
      deliveries: [],
      attempts: [],
    }));
  const readFromRxScale = stagesReadFromRxScale(facts.map((fact) => ({ stage: stageOf(kindOf(fact.kind), fact.status), source: fact.source, receivedAt: fact.receivedAt })));

  return {
    order: { ...summary, expectedNext: stuck.expectedNext },
    entities: stored.entities.map((entity) => ({ ...entity, at: new Date(entity.at * 1000).toISOString() })),
    timeline: timeline(row, stored.milestones, readFromRxScale),
    events: [...fromWebhooks, ...fromRxScale].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.eventId.localeCompare(b.eventId)),
  };
}
