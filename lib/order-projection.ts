import { isProgressStage, NEXT_STEP, PROGRESS_STAGES, progressIndex, stageOf, type FactKind, type ProgressStage, type Stage } from "./lifecycle";
import type { StuckThresholdSettings } from "./settings";

/*
 * An order's state is a pure function of the SET of its events, never of
 * their arrival order (RxScale promises none): a stale event never moves an
 * order backwards. See docs/ingest.md#from-event-to-order.
 */

/** What one event says about an order, extracted at processing time. */
export interface OrderFact {
  eventId: string;
  kind: FactKind;
  eventType: string;
  /** The parent (patient) order: `data.order.uid` for pharmacy events, `data.uid` for order events. */
  orderUid: string;
  /** The entity the event describes: order, prescription or pharmacy order uid. */
  entityUid: string;
  /** Exact RxScale status string. */
  status: string;
  /** `data.updated_at`, Unix seconds, when the payload has it. */
  updatedAt: number | null;
  /** Envelope `timestamp`, Unix seconds. */
  timestamp: number;
  /** When RxWatch first received the event (ms); decides what "arrived late" means. */
  receivedAt: number;
  pharmacyUid: string | null;
  pharmacyName: string | null;
  deliveryType: string | null;
  shopOrderName: string | null;
  patientKey: string | null;
}

export interface EntityState {
  kind: FactKind;
  uid: string;
  status: string;
  stage: Stage;
  /** Seconds: version time of the event that set this status. */
  at: number;
  eventId: string;
}

export interface OrderProjection {
  orderUid: string;
  stage: Stage;
  /** The status behind `stage`, exactly as RxScale sent it. */
  status: string;
  /** Furthest main-path stage any event reached. */
  reachedStage: ProgressStage | null;
  /** Seconds: when the order entered `stage`. */
  stageSince: number;
  firstEventAt: number;
  lastEventAt: number;
  pharmacyUid: string | null;
  pharmacyName: string | null;
  deliveryType: string | null;
  shopOrderName: string | null;
  patientKey: string | null;
  entities: EntityState[];
  /** Main-path stages before `reachedStage` for which no event arrived (only for kinds the shop receives). */
  gaps: ProgressStage[];
  /** Seconds at which each main-path stage was first reached. */
  milestones: Partial<Record<ProgressStage, number>>;
  /** Events that arrived after a newer event about the same entity had already arrived: history, not state. */
  supersededEventIds: string[];
  eventCount: number;
}

/** Which kinds of event can mark each main-path stage; a missing stage is a gap only if the shop receives one of these kinds. */
const STAGE_SOURCES: Record<ProgressStage, readonly FactKind[]> = {
  ordered: ["order"],
  prescription_approved: ["prescription"],
  prescription_signed: ["prescription"],
  sent_to_pharmacy: ["pharmacy_order", "order"],
  in_pharmacy: ["pharmacy_order"],
  shipped: ["pharmacy_order"],
  completed: ["pharmacy_order", "order"],
};

/** The time an event speaks for: its payload's `updated_at`, else the envelope timestamp. */
export function versionTime(fact: OrderFact): number {
  return fact.updatedAt ?? fact.timestamp;
}

/** Total order of facts about one entity: newer versions sort after older ones. */
export function compareVersions(a: OrderFact, b: OrderFact): number {
  return versionTime(a) - versionTime(b) || a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

function latestWith<T>(facts: readonly OrderFact[], pick: (fact: OrderFact) => T | null): T | null {
  let best: OrderFact | null = null;
  let value: T | null = null;
  for (const fact of facts) {
    const candidate = pick(fact);
    if (candidate === null) continue;
    if (!best || compareVersions(fact, best) > 0) {
      best = fact;
      value = candidate;
    }
  }
  return value;
}

function decideStage(entities: readonly EntityState[], reached: number): { stage: Stage; from: EntityState | null } {
  const of = (kind: FactKind) => entities.filter((entity) => entity.kind === kind);
  const newest = (list: readonly EntityState[]) => list.reduce<EntityState | null>((best, entity) => (!best || entity.at > best.at || (entity.at === best.at && entity.eventId > best.eventId) ? entity : best), null);
  const order = of("order")[0] ?? null;
  const pharmacyOrders = of("pharmacy_order");
  const prescriptions = of("prescription");
  const progressed = entities.filter((entity) => progressIndex(entity.stage) === reached);

  if (order && (order.stage === "cancelled" || order.stage === "declined")) return { stage: order.stage, from: order };
  if (reached === progressIndex("completed")) return { stage: "completed", from: newest(progressed) };
  // A problem status (or one RxScale never documented) on any part outranks a hold: someone must act.
  const attention = entities.filter((entity) => entity.stage === "needs_attention" || entity.stage === "other");
  if (attention.length > 0) return { stage: "needs_attention", from: newest(attention) };
  const held = entities.filter((entity) => entity.stage === "on_hold");
  if (held.length > 0) return { stage: "on_hold", from: newest(held) };
  if (pharmacyOrders.length > 0 && pharmacyOrders.every((entity) => entity.stage === "cancelled")) return { stage: "cancelled", from: newest(pharmacyOrders) };
  if (pharmacyOrders.length === 0 && prescriptions.length > 0 && prescriptions.every((entity) => entity.stage === "declined" || entity.stage === "cancelled")) {
    const ended = newest(prescriptions);
    return { stage: ended?.stage ?? "declined", from: ended };
  }
  if (reached >= 0) return { stage: PROGRESS_STAGES[reached] ?? "needs_attention", from: newest(progressed) };
  return { stage: "needs_attention", from: newest(entities) };
}

/**
 * Folds every fact about one order into its state. `trackedKinds` are the
 * kinds of event the shop receives at all; stages only those kinds could
 * report are not flagged as gaps when missing.
 */
export function projectOrder(orderUid: string, facts: readonly OrderFact[], trackedKinds: ReadonlySet<FactKind> = new Set(["order", "prescription", "pharmacy_order"])): OrderProjection {
  if (facts.length === 0) throw new Error("projectOrder needs at least one fact");
  const byEntity = new Map<string, OrderFact[]>();
  for (const fact of facts) {
    const key = `${fact.kind}:${fact.entityUid}`;
    const list = byEntity.get(key);
    if (list) list.push(fact);
    else byEntity.set(key, [fact]);
  }

  const entities: EntityState[] = [];
  const superseded: string[] = [];
  for (const list of byEntity.values()) {
    const sorted = [...list].sort(compareVersions);
    const current = sorted[sorted.length - 1];
    if (!current) continue;
    for (const fact of sorted) {
      const arrivedLate = sorted.some((other) => compareVersions(other, fact) > 0 && other.receivedAt < fact.receivedAt && other.status !== fact.status);
      if (arrivedLate) superseded.push(fact.eventId);
    }
    entities.push({ kind: current.kind, uid: current.entityUid, status: current.status, stage: stageOf(current.kind, current.status), at: versionTime(current), eventId: current.eventId });
  }
  entities.sort((a, b) => a.kind.localeCompare(b.kind) || a.uid.localeCompare(b.uid));

  const milestones: Partial<Record<ProgressStage, number>> = {};
  let reached = -1;
  for (const fact of facts) {
    const stage = stageOf(fact.kind, fact.status);
    if (!isProgressStage(stage)) continue;
    const time = versionTime(fact);
    milestones[stage] = Math.min(milestones[stage] ?? time, time);
  }
  for (const entity of entities) reached = Math.max(reached, progressIndex(entity.stage));

  const { stage, from } = decideStage(entities, reached);
  const sinceCandidates = facts.filter((fact) => stageOf(fact.kind, fact.status) === stage).map(versionTime);
  const times = facts.map(versionTime);
  const reachedStage = reached >= 0 ? (PROGRESS_STAGES[reached] ?? null) : null;
  const gaps = PROGRESS_STAGES.slice(0, Math.max(reached, 0)).filter(
    (candidate) => milestones[candidate] === undefined && STAGE_SOURCES[candidate].some((kind) => trackedKinds.has(kind)),
  );

  return {
    orderUid,
    stage,
    status: from?.status ?? "",
    reachedStage,
    stageSince: sinceCandidates.length > 0 ? Math.min(...sinceCandidates) : Math.max(...times),
    firstEventAt: Math.min(...times),
    lastEventAt: Math.max(...times),
    pharmacyUid: latestWith(facts, (fact) => fact.pharmacyUid),
    pharmacyName: latestWith(facts, (fact) => fact.pharmacyName),
    deliveryType: latestWith(facts, (fact) => fact.deliveryType),
    shopOrderName: latestWith(facts, (fact) => fact.shopOrderName),
    patientKey: latestWith(facts, (fact) => fact.patientKey),
    entities,
    gaps,
    milestones,
    supersededEventIds: superseded.sort(),
    eventCount: facts.length,
  };
}

const BUDGET_BY_STAGE: Partial<Record<Stage, keyof StuckThresholdSettings>> = {
  ordered: "awaitingPrescriptionHours",
  prescription_approved: "awaitingSignatureHours",
  prescription_signed: "waitingForPharmacyHours",
  sent_to_pharmacy: "waitingForPharmacyHours",
  in_pharmacy: "inPharmacyHours",
  shipped: "readyForPickupHours",
  on_hold: "onHoldHours",
  needs_attention: "needsAttentionHours",
  // Only rows projected by older versions are still `other`; they get the same budget rather than none.
  other: "needsAttentionHours",
};

export interface StuckInfo {
  isStuck: boolean;
  /** Seconds: when the stage's time budget ran out, or null when the stage has none. */
  stuckSince: number | null;
  budgetHours: number | null;
  expectedNext: string | null;
}

/** Whether an order has stayed in its stage longer than the configured budget (ended orders never are; every open stage has a budget). */
export function stuckInfo(projection: Pick<OrderProjection, "stage" | "stageSince">, thresholds: StuckThresholdSettings, nowSeconds: number): StuckInfo {
  const key = BUDGET_BY_STAGE[projection.stage];
  const expectedNext = isProgressStage(projection.stage)
    ? NEXT_STEP[projection.stage]
    : projection.stage === "on_hold"
      ? "the hold is resolved"
      : projection.stage === "needs_attention" || projection.stage === "other"
        ? "someone resolves the problem in RxScale"
        : null;
  if (!key) return { isStuck: false, stuckSince: null, budgetHours: null, expectedNext };
  const budgetHours = thresholds[key];
  const deadline = projection.stageSince + budgetHours * 3600;
  return { isStuck: nowSeconds >= deadline, stuckSince: deadline, budgetHours, expectedNext };
}
