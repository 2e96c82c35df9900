import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { isFactKind, type FactKind } from "@/lib/lifecycle";
import { extractOrderFact } from "@/lib/order-facts";
import { patientSearchKey } from "@/server/crypto/search-key";
import { projectOrder, type OrderFact } from "@/lib/order-projection";
import { stageSchema } from "@/lib/lifecycle";
import {
  MAX_LISTED_ORDER_CHANGES,
  MAX_REPLAY_EVENTS,
  replayPlanRequestSchema,
  replayPlanSchema,
  type OrderChange,
  type ReplayFilter,
  type ReplayJobDto,
  type ReplayPlan,
  type ReplayPlanRequest,
} from "@/lib/failures";
import type { Viewer } from "@/lib/accounts";
import { AppError } from "@/server/core/errors";
import { getSettings } from "@/server/settings/settings";
import { describeRunError, invalidPayloadError } from "@/server/processing/errors";
import { pharmacyOrderDataSchema } from "@/server/processing/dispatch";
import { PHARMACY_ORDER_EVENT_TYPES } from "@/lib/order-facts";
import { listStoredFactKinds } from "@/server/repositories/orders";
import { countReplayCandidates, findOrderStages, insertPlannedReplayJob, listFactsOfOrders, listReplayCandidates, type ReplaySelection } from "@/server/repositories/failures";
import { getReplayJob } from "@/server/replay/jobs";
import { fromRow } from "@/server/orders/order-projector";

// The dry run: re-processing is idempotent and an order is a pure function of its facts,
// so a replay's effect is projectOrder(current facts ∪ replayed facts) against the order
// as stored. Nothing is written but the planned job. See docs/failures-and-alerts.md#replay

export function toSelection(filter: ReplayFilter): ReplaySelection {
  return {
    statuses: filter.statuses,
    eventType: filter.eventType,
    receivedFrom: filter.receivedFrom ? new Date(filter.receivedFrom) : undefined,
    receivedTo: filter.receivedTo ? new Date(filter.receivedTo) : undefined,
    errorContains: filter.errorContains,
  };
}

const storedBodySchema = z.object({ data: z.record(z.string(), z.unknown()) });

/** The envelope's `data`, read the way the worker reads it; a string names why it cannot run. */
function readData(body: Uint8Array | null | undefined): Record<string, unknown> | string {
  if (!body) return "missing_body: no delivery of this event kept its body";
  try {
    const parsed = storedBodySchema.safeParse(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)));
    return parsed.success ? parsed.data.data : "invalid_body: the stored body has no `data` object";
  } catch {
    return "invalid_body: the stored body is not UTF-8 JSON";
  }
}

/**
 * The handlers' own refusals, predicted: the pharmacy-order handlers check
 * uid and status with the schema they share; the other handlers accept any
 * data. Returns the error the run would record, or null.
 */
function predictedRefusal(eventType: string, data: Record<string, unknown>): string | null {
  if (data.test === true) return null;
  if (!(PHARMACY_ORDER_EVENT_TYPES as readonly string[]).includes(eventType)) return null;
  const parsed = pharmacyOrderDataSchema.safeParse(data);
  return parsed.success ? null : describeRunError(invalidPayloadError(parsed.error.issues)).message;
}

function tallyOf(values: Iterable<string>): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([value, count]) => ({ value, count }));
}

export interface DryRun {
  plan: ReplayPlan;
  eventIds: string[];
}

/**
 * What replaying the events matching `filter` would do, without doing it.
 * Throws AppError `invalid_request` when nothing matches or more than
 * {@link MAX_REPLAY_EVENTS} events do.
 */
export async function dryRunReplay(filter: ReplayFilter): Promise<DryRun> {
  const selection = toSelection(filter);
  const total = await countReplayCandidates(selection);
  if (total === 0) throw new AppError("invalid_request", "No event matches this filter.");
  if (total > MAX_REPLAY_EVENTS) throw new AppError("invalid_request", `${total} events match; one replay covers at most ${MAX_REPLAY_EVENTS}. Narrow the filter (event type, time range, error).`);
  const [candidates, names, storedKinds] = await Promise.all([listReplayCandidates(selection, MAX_REPLAY_EVENTS), getSettings("eventNames"), listStoredFactKinds()]);

  const refusals: string[] = [];
  const newFacts = new Map<string, OrderFact[]>();
  let contributing = 0;
  for (const event of candidates) {
    const data = readData(event.deliveries[0]?.body);
    if (typeof data === "string") {
      refusals.push(data);
      continue;
    }
    const refusal = predictedRefusal(event.eventType, data);
    if (refusal) {
      refusals.push(refusal);
      continue;
    }
    if (data.test === true) continue;
    const fact = extractOrderFact({ id: event.id, type: event.eventType, timestamp: Number(event.eventTimestamp), data, receivedAt: event.firstReceivedAt.getTime() }, names, patientSearchKey);
    if (!fact) continue;
    contributing += 1;
    newFacts.set(fact.orderUid, [...(newFacts.get(fact.orderUid) ?? []), fact]);
  }

  const orderUids = [...newFacts.keys()].sort();
  const [currentFacts, currentOrders] = await Promise.all([listFactsOfOrders(orderUids), findOrderStages(orderUids)]);
  const tracked = new Set<FactKind>(storedKinds.filter(isFactKind));
  for (const facts of newFacts.values()) for (const fact of facts) tracked.add(fact.kind);
  const factsByOrder = new Map<string, OrderFact[]>();
  for (const row of currentFacts) {
    const fact = fromRow(row);
    if (fact) factsByOrder.set(fact.orderUid, [...(factsByOrder.get(fact.orderUid) ?? []), fact]);
  }
  const orderByUid = new Map(currentOrders.map((order) => [order.orderUid, order]));

  const changes: OrderChange[] = [];
  let unchanged = 0;
  for (const orderUid of orderUids) {
    const replayed = newFacts.get(orderUid) ?? [];
    const replacing = new Set(replayed.map((fact) => fact.eventId));
    // A replayed event's fact replaces the one it recorded before (upsert by event id), as the handler does.
    const merged = [...(factsByOrder.get(orderUid) ?? []).filter((fact) => !replacing.has(fact.eventId)), ...replayed];
    const after = projectOrder(orderUid, merged, tracked);
    const stored = orderByUid.get(orderUid);
    const before = stored ? { stage: stageSchema.catch("other").parse(stored.stage), status: stored.status } : null;
    if (before && before.stage === after.stage && before.status === after.status) {
      unchanged += 1;
      continue;
    }
    changes.push({ orderUid, shopOrderName: after.shopOrderName ?? stored?.shopOrderName ?? null, before, after: { stage: after.stage, status: after.status } });
  }

  const plan = replayPlanSchema.parse({
    events: candidates.length,
    byStatus: tallyOf(candidates.map((event) => event.status)),
    byType: tallyOf(candidates.map((event) => event.eventType)),
    contributing,
    expectedToFail: tallyOf(refusals),
    orderChanges: changes.slice(0, MAX_LISTED_ORDER_CHANGES),
    orderChangeCount: changes.length,
    ordersUnchanged: unchanged,
  });
  return { plan, eventIds: candidates.map((event) => event.id) };
}

/**
 * Runs the dry run and stores its result as a planned job, holding exactly
 * the events it counted: starting the job replays those, not whatever matches
 * the filter by then. Nothing is queued until the job is started.
 */
export async function planReplay(request: ReplayPlanRequest, viewer: Viewer, now: Date = new Date()): Promise<ReplayJobDto> {
  const parsed = replayPlanRequestSchema.parse(request);
  const { plan, eventIds } = await dryRunReplay(parsed.filter);
  const id = randomUUID();
  await insertPlannedReplayJob(
    {
      id,
      filter: JSON.stringify(parsed.filter),
      plan: JSON.stringify(plan),
      eventsPerSecond: parsed.eventsPerSecond,
      createdById: viewer.via === "session" ? viewer.userId : null,
      createdByName: viewer.via === "session" ? viewer.name : `${viewer.name} (API token)`,
      createdAt: now,
    },
    eventIds,
  );
  return getReplayJob(id);
}
