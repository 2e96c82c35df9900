import { z } from "zod";
import type { FactKind } from "./lifecycle";
import { compareVersions, versionTime, type OrderFact } from "./order-projection";

/*
 * Reconciliation: RxScale's state of an order, read from its orders API,
 * compared with the facts RxWatch recorded from webhooks
 * (docs/reconciliation.md). Pure: the server reads both sides and records.
 */

/** The event type of a fact read from RxScale's API rather than received as a webhook. */
export const RECONCILIATION_EVENT_TYPE = "rxwatch.reconciliation";

export const DIFFERENCE_CLASSES = ["missing", "behind", "unknown_to_rxscale"] as const;
export type DifferenceClass = (typeof DIFFERENCE_CLASSES)[number];

/** Why RxWatch probably lacks what RxScale has, judged from RxWatch's own records (docs/reconciliation.md#likely-causes). */
export const LIKELY_CAUSES = ["no_subscription", "rejected_signature", "rxwatch_down", "nothing_received", "not_at_rxscale"] as const;
export type LikelyCause = (typeof LIKELY_CAUSES)[number];

export const LIKELY_CAUSE_LABELS: Record<LikelyCause, string> = {
  no_subscription: "RxWatch has never received this kind of event: probably no subscription for it",
  rejected_signature: "Deliveries around then were rejected for a bad signature (a rotated secret?)",
  rxwatch_down: "Nothing at all reached RxWatch around then: RxWatch was down or unreachable",
  nothing_received: "Other deliveries arrived, this one never did: lost before it reached RxWatch",
  not_at_rxscale: "RxScale does not know this order (another environment, or a test order?)",
};

/** One entity (the order, a prescription, a pharmacy order) as RxScale reports it. */
export interface RemoteEntity {
  kind: FactKind;
  uid: string;
  status: string;
  /** Unix seconds; null when RxScale gave none. */
  updatedAt: number | null;
  pharmacyUid?: string | null;
  pharmacyName?: string | null;
}

export interface EntityDifference {
  kind: FactKind;
  uid: string;
  rxscaleStatus: string;
  rxscaleUpdatedAt: number | null;
  /** RxWatch's current status of this entity; null when no webhook about it arrived. */
  rxwatchStatus: string | null;
}

export type Comparison = { class: "in_sync" } | { class: "missing" | "behind"; differences: EntityDifference[]; entities: RemoteEntity[] };

/**
 * Compares RxScale's entities of one order with RxWatch's facts about it.
 * An entity is behind when RxWatch never heard of it, or its status differs
 * and RxScale's version is not older than RxWatch's (a webhook newer than
 * RxScale's answer means RxWatch is ahead, not behind).
 */
export function compareOrder(remote: readonly RemoteEntity[], facts: readonly OrderFact[]): Comparison {
  const latest = new Map<string, OrderFact>();
  for (const fact of facts) {
    const key = `${fact.kind}:${fact.entityUid}`;
    const known = latest.get(key);
    if (!known || compareVersions(fact, known) > 0) latest.set(key, fact);
  }
  const differing: RemoteEntity[] = [];
  const differences: EntityDifference[] = [];
  for (const entity of remote) {
    const local = latest.get(`${entity.kind}:${entity.uid}`);
    const isBehind = !local || (local.status !== entity.status && (entity.updatedAt === null || entity.updatedAt >= versionTime(local)));
    if (!isBehind) continue;
    differing.push(entity);
    differences.push({ kind: entity.kind, uid: entity.uid, rxscaleStatus: entity.status, rxscaleUpdatedAt: entity.updatedAt, rxwatchStatus: local?.status ?? null });
  }
  if (differences.length === 0) return { class: "in_sync" };
  return { class: facts.length === 0 ? "missing" : "behind", differences, entities: differing };
}

export const entityDifferenceSchema = z.object({
  kind: z.enum(["order", "prescription", "pharmacy_order"]),
  uid: z.string(),
  rxscaleStatus: z.string(),
  rxscaleUpdatedAt: z.number().nullable(),
  rxwatchStatus: z.string().nullable(),
});

export const reconciliationRunSchema = z.object({
  id: z.string(),
  trigger: z.enum(["timer", "manual", "cli", "order"]),
  state: z.enum(["running", "completed", "failed", "cancelled"]),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  since: z.string(),
  until: z.string(),
  checked: z.number(),
  inSync: z.number(),
  missing: z.number(),
  behind: z.number(),
  unknownToRxScale: z.number(),
  filled: z.number(),
  requests: z.number(),
  error: z.string().nullable(),
});
export type ReconciliationRunDto = z.infer<typeof reconciliationRunSchema>;

export const reconciliationDifferenceSchema = z.object({
  orderUid: z.string(),
  class: z.enum(DIFFERENCE_CLASSES),
  likelyCause: z.enum(LIKELY_CAUSES),
  isFilled: z.boolean(),
  entities: z.array(entityDifferenceSchema),
});
export type ReconciliationDifferenceDto = z.infer<typeof reconciliationDifferenceSchema>;

export const reconciliationRunsDtoSchema = z.object({ runs: z.array(reconciliationRunSchema) });
export type ReconciliationRunsDto = z.infer<typeof reconciliationRunsDtoSchema>;

/** Differences of a run come this many to a page. */
export const DIFFERENCES_PER_PAGE = 50;

export const reconciliationRunDetailDtoSchema = z.object({
  run: reconciliationRunSchema,
  differences: z.array(reconciliationDifferenceSchema),
  /** Pass as `after` for the next page; null on the last. */
  nextAfter: z.number().int().nullable(),
});
export type ReconciliationRunDetailDto = z.infer<typeof reconciliationRunDetailDtoSchema>;

export const differencesQuerySchema = z.object({ after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() });

/** A duration back from now, as the CLI's --since takes it: 90m, 24h, 7d. */
export const SINCE_DURATION_PATTERN = /^(\d{1,4})([mhd])$/;

export const startRunRequestSchema = z.object({ since: z.string().trim().regex(SINCE_DURATION_PATTERN, "a duration such as 90m, 24h or 7d").optional() }).strict();
export type StartRunRequest = z.infer<typeof startRunRequestSchema>;

/** The trace page's check of one order: how it compares with RxScale right now. */
export const orderCheckDtoSchema = z.object({
  runId: z.string(),
  orderUid: z.string(),
  class: z.enum(["in_sync", ...DIFFERENCE_CLASSES]),
  likelyCause: z.enum(LIKELY_CAUSES).nullable(),
  entities: z.array(entityDifferenceSchema),
  checkedAt: z.string(),
});
export type OrderCheckDto = z.infer<typeof orderCheckDtoSchema>;

/** A person may check this many orders a minute against RxScale: each costs Management API requests shared with everything else. */
export const ORDER_CHECKS_PER_MINUTE = 6;

/** A sweep with more differences than this (missing, behind, unknown to RxScale) raises the "webhooks missed" incident. */
export const WEBHOOKS_MISSED_THRESHOLD = 3;

export const DIFFERENCE_CLASS_LABELS: Record<DifferenceClass | "in_sync", string> = {
  in_sync: "In sync",
  missing: "Missing in RxWatch",
  behind: "Behind RxScale",
  unknown_to_rxscale: "Unknown to RxScale",
};

/** The CLI's last line and the API's answer to a run: counts only. */
export interface ReconciliationSummary {
  checked: number;
  inSync: number;
  missing: number;
  behind: number;
  unknownToRxScale: number;
  filled: number;
}
