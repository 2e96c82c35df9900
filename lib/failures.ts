import { z } from "zod";
import { STAGE_LABELS, stageSchema } from "./lifecycle";
import { eventStatusSchema } from "./processing";
import { driftChangeLabel, payloadDriftEvidenceSchema } from "./drift";
import { subscriptionProblemSchema } from "./subscription-health";

/*
 * The failures page's vocabulary: problems grouped by cause (never one row per
 * delivery), each group behaving as an incident, and the evidence a group's
 * likely cause is read from. Evidence holds counts, codes, event types, secret
 * ids and times only — never payload data — because it is shown to support,
 * stored with the incident and quoted in alerts.
 */

/**
 * What kind of problem a group is:
 * - `signature`: deliveries refused for their signature (missing, malformed, bad), one group per reason;
 * - `payload`: bodies RxWatch could not read: too large (refused), or signed but not JSON, not an envelope,
 *   of the wrong media type or encoding (quarantined, re-processable: docs/ingest.md#quarantine);
 * - `processing`: events whose handler fails (retrying) or failed for good (dead letters), per event type and error;
 * - `duplicate_storm`: one event redelivered many times in a short while, per event type;
 * - `unknown_type` / `unknown_version`: accepted events RxWatch has no handler or no schema for (flags);
 * - `stuck_orders`: orders over their stage's time budget;
 * - `silence`: no delivery for longer than the silence window while subscriptions are expected;
 * - `rejected_over_budget`: unsigned or wrongly signed requests beyond a source's per-minute budget, counted but
 *   not stored (docs/ingest.md#rejected-requests).
 * - `webhooks_missed`: the latest reconciliation run found more orders missing or behind RxScale than the threshold.
 * - `payload_drift`: RxScale's payload changed (one group per change, raised by the drift detector, not the scan).
 * - `subscription`: an event type RxWatch needs has no subscription at RxScale, only ones delivering elsewhere, or
 *   none whose signing secret RxWatch holds (the subscription health check, one group per problem and type).
 * - `quiet_type`: an event type that was busy in this hour of the week for weeks had no event in the last hour
 *   (a per-type silence, from the volume baseline).
 */
export const FAILURE_KINDS = ["signature", "payload", "processing", "duplicate_storm", "unknown_type", "unknown_version", "stuck_orders", "silence", "rejected_over_budget", "webhooks_missed", "payload_drift", "subscription", "quiet_type"] as const;
export const failureKindSchema = z.enum(FAILURE_KINDS);
export type FailureKind = z.infer<typeof failureKindSchema>;

/** open → acknowledged (someone is on it) → resolved (by a person, or automatically once the condition clears). */
export const INCIDENT_STATES = ["open", "acknowledged", "resolved"] as const;
export const incidentStateSchema = z.enum(INCIDENT_STATES);
export type IncidentState = z.infer<typeof incidentStateSchema>;

export const INCIDENT_ACTIONS = ["acknowledge", "resolve", "reopen"] as const;
export const incidentActionRequestSchema = z.object({ action: z.enum(INCIDENT_ACTIONS) });
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** A group key as it appears in URLs: kind, then identifiers (event types, codes, a hash of an error). */
export const failureGroupKeySchema = z.string().trim().min(3).max(400);

/** Trend sparklines: this many buckets of this many minutes, ending now. */
export const TREND_BUCKETS = 48;
export const TREND_BUCKET_MINUTES = 30;

const iso = z.iso.datetime();
const countedSchema = z.object({ value: z.string(), count: z.number().int().nonnegative() });
export type Counted = z.infer<typeof countedSchema>;

/** How a malformed X-Webhook-Signature looked, by shape only (the value is a MAC, but shape is all support needs). */
export const SIGNATURE_SHAPES = ["empty", "prefixed", "wrong_length", "not_hex"] as const;

const signatureEvidenceSchema = z.object({
  kind: z.literal("signature"),
  reasonCode: z.enum(["missing_signature", "malformed_signature", "bad_signature"]),
  /** The last delivery that verified before the first failure of this episode. */
  verifiedBefore: z.object({ at: iso, secretId: z.string().nullable() }).nullable(),
  /** Deliveries that verified since the first failure of this episode. */
  verifiedSince: z.number().int().nonnegative(),
  /** Event types (X-Webhook-Event) of the failing deliveries, most frequent first. */
  failingTypes: z.array(countedSchema),
  /** Event types that still verified since the first failure. */
  verifyingTypes: z.array(z.string()),
  signatureShapes: z.array(countedSchema),
  userAgents: z.array(countedSchema),
  sourceCount: z.number().int().nonnegative(),
  /** Signing secrets RxWatch verifies with (environment and stored, active). */
  configuredSecrets: z.number().int().nonnegative(),
});

const payloadEvidenceSchema = z.object({
  kind: z.literal("payload"),
  reasonCode: z.enum(["invalid_json", "invalid_envelope", "too_large", "unsupported_media_type", "unsupported_content_encoding", "body_timeout", "aborted"]),
  /** For invalid_envelope: which field was wrong, from the recent bodies (field names, never values). */
  envelopeProblems: z.array(countedSchema),
  contentTypes: z.array(countedSchema),
  contentEncodings: z.array(countedSchema),
  largestBodyBytes: z.number().int().nonnegative().nullable(),
  maxBodyBytes: z.number().int().positive(),
  userAgents: z.array(countedSchema),
});

const processingEvidenceSchema = z.object({
  kind: z.literal("processing"),
  eventType: z.string(),
  /** The stored error, e.g. "invalid_payload: data.status: invalid_type (expected string)" (names fields, never values). */
  error: z.string(),
  retrying: z.number().int().nonnegative(),
  dead: z.number().int().nonnegative(),
  isPermanent: z.boolean(),
  /** A few of the events, for re-processing one at a time. */
  sampleEventIds: z.array(z.string()),
});

const duplicateStormEvidenceSchema = z.object({
  kind: z.literal("duplicate_storm"),
  eventType: z.string(),
  events: z.number().int().nonnegative(),
  /** Most duplicates of a single event within the storm window. */
  maxPerEvent: z.number().int().nonnegative(),
  windowMinutes: z.number().int().positive(),
  /** p95 acknowledgement time of the duplicates: slow answers are the usual reason a sender retries. */
  p95AckMs: z.number().nonnegative().nullable(),
  duplicatesByStatus: z.array(countedSchema),
});

const unknownTypeEvidenceSchema = z.object({
  kind: z.literal("unknown_type"),
  eventType: z.string(),
  events: z.number().int().nonnegative(),
});

const unknownVersionEvidenceSchema = z.object({
  kind: z.literal("unknown_version"),
  payloadVersion: z.string(),
  eventTypes: z.array(countedSchema),
});

const stuckEvidenceSchema = z.object({
  kind: z.literal("stuck_orders"),
  byStage: z.array(z.object({ stage: stageSchema, count: z.number().int().nonnegative() })),
  oldestStuckSince: iso.nullable(),
});

const silenceEvidenceSchema = z.object({
  kind: z.literal("silence"),
  lastDeliveryAt: iso,
  windowMinutes: z.number().int().positive(),
  expectedTypes: z.array(z.string()),
  /** Newest event per expected type; null when one never arrived. */
  lastByType: z.array(z.object({ eventType: z.string(), lastAt: iso.nullable() })),
});

const rejectedOverBudgetEvidenceSchema = z.object({
  kind: z.literal("rejected_over_budget"),
  /** Requests only counted (no delivery row) in the episode, and the bytes they brought. */
  droppedRequests: z.number().int().nonnegative(),
  droppedBytes: z.number().int().nonnegative(),
  /** Source addresses that went over budget, most dropped first ("(unknown)" when the peer was not known). */
  sources: z.array(countedSchema),
  sourceCount: z.number().int().nonnegative(),
  /** The budget per source and minute (RXWATCH_REJECTED_REQUESTS_PER_MINUTE, RXWATCH_REJECTED_BYTES_PER_MINUTE). */
  requestsPerMinute: z.number().int().positive(),
  bytesPerMinute: z.number().int().positive(),
});

const webhooksMissedEvidenceSchema = z.object({
  kind: z.literal("webhooks_missed"),
  /** The reconciliation run that found them (docs/reconciliation.md). */
  runId: z.string(),
  runStartedAt: iso,
  missing: z.number().int().nonnegative(),
  behind: z.number().int().nonnegative(),
  filled: z.number().int().nonnegative(),
  threshold: z.number().int().nonnegative(),
});

const subscriptionEvidenceSchema = z.object({
  kind: z.literal("subscription"),
  problem: subscriptionProblemSchema,
  eventType: z.string(),
  /** The subscription to re-create; null when RxScale lists none of the type. */
  subscriptionUid: z.string().nullable(),
  /** Where that subscription delivers instead (for `elsewhere`). */
  listedTarget: z.string().nullable(),
  /** This RxWatch's target URL as the check saw it. */
  target: z.string(),
  checkedAt: iso,
  /** Why the latest check could not list RxScale's subscriptions (the problem is then as of the last check that could). */
  checkError: z.string().nullable(),
});

const quietTypeEvidenceSchema = z.object({
  kind: z.literal("quiet_type"),
  eventType: z.string(),
  /** Events in the same hour of the week in each of the previous weeks, newest week first. */
  baseline: z.array(z.number().int().nonnegative()),
  quietSince: iso,
});

/** What a scan found about one group, per kind. */
export const failureEvidenceSchema = z.discriminatedUnion("kind", [
  signatureEvidenceSchema,
  payloadEvidenceSchema,
  processingEvidenceSchema,
  duplicateStormEvidenceSchema,
  unknownTypeEvidenceSchema,
  unknownVersionEvidenceSchema,
  stuckEvidenceSchema,
  silenceEvidenceSchema,
  rejectedOverBudgetEvidenceSchema,
  webhooksMissedEvidenceSchema,
  payloadDriftEvidenceSchema,
  subscriptionEvidenceSchema,
  quietTypeEvidenceSchema,
]);
export type FailureEvidence = z.infer<typeof failureEvidenceSchema>;

/** A filter the failures page can hand to the replay planner for this group. */
export const replayFilterSchema = z
  .object({
    statuses: z.array(eventStatusSchema).min(1).max(5).optional(),
    eventType: z.string().trim().min(1).max(256).optional(),
    /** Only events first received at or after / before these instants. */
    receivedFrom: iso.optional(),
    receivedTo: iso.optional(),
    /** Only events whose last error contains this text (e.g. "invalid_payload"). */
    errorContains: z.string().trim().min(1).max(200).optional(),
  })
  .refine((filter) => filter.statuses !== undefined || filter.eventType !== undefined, { message: "Give statuses or an event type, so that everything is never replayed by accident." });
export type ReplayFilter = z.infer<typeof replayFilterSchema>;

export const failureGroupDtoSchema = z.object({
  key: failureGroupKeySchema,
  kind: failureKindSchema,
  state: incidentStateSchema,
  /** Occurrences in the current episode; for dead letters and stuck orders, how many there are now. */
  count: z.number().int().nonnegative(),
  firstSeenAt: iso,
  lastSeenAt: iso,
  openedAt: iso,
  acknowledgedAt: iso.nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: iso.nullable(),
  /** Null for a resolved group: resolved automatically. */
  resolvedBy: z.string().nullable(),
  /** Still happening now (occurrences within the quiet period, or the condition holds). */
  isActive: z.boolean(),
  evidence: failureEvidenceSchema,
  /** Occurrences per bucket, oldest first ({@link TREND_BUCKETS} × {@link TREND_BUCKET_MINUTES} min). */
  trend: z.array(z.number().int().nonnegative()),
  /** A replay filter matching this group's events, when replaying can help. */
  replay: replayFilterSchema.nullable(),
});
export type FailureGroupDto = z.infer<typeof failureGroupDtoSchema>;

export const failuresDtoSchema = z.object({
  groups: z.array(failureGroupDtoSchema),
  scannedAt: iso,
  trendBucketMinutes: z.number().int().positive(),
  /** False while no delivery has ever arrived: silence is not judged before the first one. */
  hasEverReceived: z.boolean(),
});
export type FailuresDto = z.infer<typeof failuresDtoSchema>;

// ─── Health chart ────────────────────────────────────────────────────────────

export const HEALTH_RANGES = ["1h", "6h", "24h", "7d"] as const;
export const healthRangeSchema = z.enum(HEALTH_RANGES);
export type HealthRange = z.infer<typeof healthRangeSchema>;

/** Each range's length and bucket size; buckets stay under ~100 so the chart stays legible. */
export const HEALTH_RANGE_SPECS: Record<HealthRange, { seconds: number; bucketSeconds: number; label: string }> = {
  "1h": { seconds: 3_600, bucketSeconds: 60, label: "Last hour" },
  "6h": { seconds: 6 * 3_600, bucketSeconds: 5 * 60, label: "Last 6 hours" },
  "24h": { seconds: 24 * 3_600, bucketSeconds: 15 * 60, label: "Last 24 hours" },
  "7d": { seconds: 7 * 86_400, bucketSeconds: 2 * 3_600, label: "Last 7 days" },
};

/**
 * What the chart was asked for: a fixed range, or "auto", the shortest range
 * that holds every delivery so far, so a new instance's first minutes are
 * not squeezed into a spike at the edge of six hours.
 */
export const HEALTH_RANGE_CHOICES = ["auto", ...HEALTH_RANGES] as const;
export const healthRangeChoiceSchema = z.enum(HEALTH_RANGE_CHOICES);
export type HealthRangeChoice = z.infer<typeof healthRangeChoiceSchema>;

/** The shortest range that reaches back to `oldest` (the longest when even that does not; the shortest when there is no data). */
export function autoHealthRange(oldest: Date | null, now: Date): HealthRange {
  if (oldest === null) return HEALTH_RANGES[0];
  const age = (now.getTime() - oldest.getTime()) / 1000;
  return HEALTH_RANGES.find((range) => HEALTH_RANGE_SPECS[range].seconds >= age) ?? HEALTH_RANGES[HEALTH_RANGES.length - 1] ?? "7d";
}

export const healthQuerySchema = z.object({ range: healthRangeChoiceSchema.catch("auto").default("auto") });

export const healthPointSchema = z.object({
  at: iso,
  /** Deliveries per minute in the bucket, by outcome (averaged over the bucket). */
  accepted: z.number().nonnegative(),
  duplicate: z.number().nonnegative(),
  rejected: z.number().nonnegative(),
  /** Correctly signed but unreadable: stored and answered 200, waiting to be re-processed. */
  quarantined: z.number().nonnegative(),
  /** p95 acknowledgement time of the bucket's deliveries, ms; null when none was timed. */
  p95AckMs: z.number().nonnegative().nullable(),
  /** Backlog sampled in the bucket (last sample); null before sampling began. */
  pending: z.number().int().nonnegative().nullable(),
  failed: z.number().int().nonnegative().nullable(),
  dead: z.number().int().nonnegative().nullable(),
});
export type HealthPoint = z.infer<typeof healthPointSchema>;

export const deliveryHealthDtoSchema = z.object({
  /** The range shown: the one asked for, or the one "auto" chose. */
  range: healthRangeSchema,
  isAutomatic: z.boolean(),
  bucketSeconds: z.number().int().positive(),
  points: z.array(healthPointSchema),
  totals: z.object({ accepted: z.number().int(), duplicate: z.number().int(), rejected: z.number().int(), quarantined: z.number().int(), p95AckMs: z.number().nullable() }),
  backlog: z.object({ pending: z.number().int(), processing: z.number().int(), failed: z.number().int(), dead: z.number().int() }),
});
export type DeliveryHealthDto = z.infer<typeof deliveryHealthDtoSchema>;

// ─── Replay ──────────────────────────────────────────────────────────────────

/** A job never covers more events than this: a larger selection is refused and must be narrowed. */
export const MAX_REPLAY_EVENTS = 10_000;
/** Throttle bounds, events queued per second. */
export const REPLAY_RATE_LIMITS = { min: 1, max: 500, default: 20 } as const;

export const replayPlanRequestSchema = z.object({
  filter: replayFilterSchema,
  eventsPerSecond: z.number().int().min(REPLAY_RATE_LIMITS.min).max(REPLAY_RATE_LIMITS.max).default(REPLAY_RATE_LIMITS.default),
});
export type ReplayPlanRequest = z.input<typeof replayPlanRequestSchema>;

const stageStatusSchema = z.object({ stage: stageSchema, status: z.string() });

/** An order row's stage and status; a stage this version does not know reads as `other`. */
export function stageStatusOf(order: { stage: string; status: string }): z.infer<typeof stageStatusSchema> {
  return { stage: stageSchema.catch("other").parse(order.stage), status: order.status };
}

export const orderChangeSchema = z.object({
  orderUid: z.string(),
  shopOrderName: z.string().nullable(),
  /** Null: the order does not exist yet and the replay would create it. */
  before: stageStatusSchema.nullable(),
  after: stageStatusSchema,
});
export type OrderChange = z.infer<typeof orderChangeSchema>;

/** The dry run's findings, kept with the job so the real run can be compared with them. */
export const replayPlanSchema = z.object({
  events: z.number().int().nonnegative(),
  byStatus: z.array(countedSchema),
  byType: z.array(countedSchema),
  /** Events whose fact would be recorded (they carry an order fact and their handler accepts them). */
  contributing: z.number().int().nonnegative(),
  /** Events the handler would refuse again, by reason (e.g. invalid_payload: data.status). */
  expectedToFail: z.array(countedSchema),
  /** Orders whose stage or status would change, from what to what (at most {@link MAX_LISTED_ORDER_CHANGES} listed). */
  orderChanges: z.array(orderChangeSchema),
  orderChangeCount: z.number().int().nonnegative(),
  ordersUnchanged: z.number().int().nonnegative(),
});
export type ReplayPlan = z.infer<typeof replayPlanSchema>;
export const MAX_LISTED_ORDER_CHANGES = 200;

export const REPLAY_STATES = ["planned", "running", "completed", "cancelled", "failed"] as const;
export const replayStateSchema = z.enum(REPLAY_STATES);
export type ReplayState = z.infer<typeof replayStateSchema>;

export const replayJobDtoSchema = z.object({
  id: z.string(),
  state: replayStateSchema,
  filter: replayFilterSchema,
  plan: replayPlanSchema,
  eventsPerSecond: z.number().int(),
  createdBy: z.string(),
  createdAt: iso,
  startedAt: iso.nullable(),
  finishedAt: iso.nullable(),
  total: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  /** Where the job's events stand now (processed, pending, failed, dead…). */
  progress: z.array(countedSchema),
  isCancelRequested: z.boolean(),
  error: z.string().nullable(),
  /**
   * The planned order changes as they stand now: `actual` is the order's
   * current stage and status (null if it still does not exist).
   */
  outcome: z.array(z.object({ orderUid: z.string(), expected: stageStatusSchema, actual: stageStatusSchema.nullable() })),
});
export type ReplayJobDto = z.infer<typeof replayJobDtoSchema>;

export const replayJobListDtoSchema = z.object({ jobs: z.array(replayJobDtoSchema) });

// ─── Describing a group ──────────────────────────────────────────────────────

export interface FailureDescription {
  title: string;
  /** The likely cause, spelled out with the numbers that point to it. */
  cause: string;
  /** What to do about it. */
  advice: string;
}

/** How a description writes instants; the browser passes local time, tests pass UTC. */
export type TimeFormatter = (iso: string) => string;

function list(values: readonly string[], max = 3): string {
  if (values.length === 0) return "";
  const shown = values.slice(0, max);
  const rest = values.length - shown.length;
  const joined = shown.length === 1 ? (shown[0] ?? "") : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1) ?? ""}`;
  return rest > 0 ? `${shown.join(", ")} and ${rest} more` : joined;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

const UNREADABLE = "RxScale sent payloads RxWatch could not read";
const PAYLOAD_TITLES: Record<z.infer<typeof payloadEvidenceSchema>["reasonCode"], string> = {
  invalid_json: `${UNREADABLE}: not JSON`,
  invalid_envelope: `${UNREADABLE}: not an envelope it understands`,
  too_large: "Bodies over the size limit",
  unsupported_media_type: `${UNREADABLE}: wrong content type`,
  unsupported_content_encoding: `${UNREADABLE}: compressed bodies`,
  body_timeout: "Bodies that arrived too slowly",
  aborted: "Requests abandoned mid-body",
};

/** Advice for every quarantined group: nothing is lost, and re-processing is how it reaches the orders. */
const REPROCESS_ADVICE =
  "They are kept in quarantine (answered 200, so RxScale does not retry). Once a setting or an upgrade can read them, re-process them — dry run first — from the Deliveries page (outcome quarantined) or POST /api/deliveries/quarantine/reprocess.";

function describeSignature(group: Pick<FailureGroupDto, "count" | "firstSeenAt">, evidence: z.infer<typeof signatureEvidenceSchema>, time: TimeFormatter): FailureDescription {
  const n = group.count;
  const since = time(group.firstSeenAt);
  const senders = evidence.userAgents.length > 0 ? ` (user agent ${list(evidence.userAgents.map((agent) => agent.value), 2)})` : "";
  if (evidence.reasonCode === "missing_signature") {
    const stillSigned = evidence.verifiedSince > 0 ? ` Other deliveries still arrive signed (${evidence.verifiedSince} since ${since}), so only some requests lose it: look for a second route or sender.` : "";
    return {
      title: "Deliveries without a signature",
      cause: `No X-Webhook-Signature header at all on ${plural(n, "request")} since ${since}, from ${plural(evidence.sourceCount, "source address", "source addresses")}${senders}. RxScale signs every delivery: is something in front of RxWatch (a proxy, WAF or load balancer) stripping headers, or are these requests not from RxScale?${stillSigned}`,
      advice: "Check the proxy's header rules for X-Webhook-Signature, or find the sender from the source address and user agent. RxScale retries refused deliveries, so they arrive again once fixed.",
    };
  }
  if (evidence.reasonCode === "malformed_signature") {
    const shapes = new Map(evidence.signatureShapes.map((shape) => [shape.value, shape.count]));
    const hints: string[] = [];
    if (shapes.has("prefixed")) hints.push("it carries a prefix such as `sha256=`, which RxScale does not send — another provider's format?");
    if (shapes.has("wrong_length")) hints.push("it is not 64 characters long — cut short or padded on the way?");
    if (shapes.has("empty")) hints.push("it is empty — a proxy blanking it?");
    if (shapes.has("not_hex")) hints.push("it contains characters other than hex digits — base64 from another sender?");
    return {
      title: "Malformed signatures",
      cause: `${plural(n, "request")} since ${since} had an X-Webhook-Signature header that is not 64 hex characters: ${hints.length > 0 ? hints.join("; ") : "its shape was not recognised"}${senders}.`,
      advice: "RxScale sends the bare hex HMAC-SHA256 of the body. If these are RxScale's deliveries, something rewrites the header; otherwise point the other sender elsewhere.",
    };
  }
  // bad_signature
  const failingTypes = evidence.failingTypes.map((type) => type.value);
  if (evidence.configuredSecrets === 0) {
    return {
      title: "Signatures that do not match",
      cause: `${plural(n, "delivery", "deliveries")} since ${since} could not be verified because RxWatch has no signing secret configured at all.`,
      advice: "Add the subscription's signing secret under Settings → Signing secrets (or RXSCALE_SIGNING_SECRETS). RxScale retries, so the refused deliveries arrive again.",
    };
  }
  if (evidence.verifiedBefore && evidence.verifiedSince === 0) {
    const secret = evidence.verifiedBefore.secretId ? ` with secret ${evidence.verifiedBefore.secretId}` : "";
    return {
      title: "Signatures that do not match",
      cause: `All ${plural(n, "failure")} started at ${since}; until then deliveries verified (the last at ${time(evidence.verifiedBefore.at)}${secret}) and none has since. Was the signing secret rotated on RxScale's side (a subscription re-created or its secret renewed)?`,
      advice: "Add the new secret under Settings → Signing secrets, keeping the old one until deliveries verify with the new one. RxScale retries refused deliveries, so nothing is lost once it matches.",
    };
  }
  if (evidence.verifiedSince > 0) {
    const verifying = new Set(evidence.verifyingTypes);
    const onlyFailing = failingTypes.filter((type) => !verifying.has(type) && type !== "(no header)");
    if (onlyFailing.length > 0 && failingTypes.every((type) => !verifying.has(type))) {
      return {
        title: "Signatures that do not match",
        cause: `Only ${list(onlyFailing)} deliveries fail (${n} since ${since}) while ${list(evidence.verifyingTypes)} still verify: that subscription signs with a secret RxWatch does not hold — was it re-created?`,
        advice: "Add that subscription's signing secret under Settings → Signing secrets (Settings → Subscriptions can re-create it and capture the new secret).",
      };
    }
    return {
      title: "Signatures that do not match",
      cause: `Some deliveries fail and others verify (${n} failed, ${evidence.verifiedSince} verified since ${since}): a second sender with an old secret, or something in between changing bodies after RxScale signed them (re-encoding JSON, adding whitespace).`,
      advice: "Compare the source addresses and user agents of failing and verifying deliveries on the Events page; make sure no proxy rewrites request bodies.",
    };
  }
  return {
    title: "Signatures that do not match",
    cause: `No delivery has verified since the failures began at ${since} (${plural(n, "delivery", "deliveries")}, ${plural(evidence.configuredSecrets, "secret")} tried): the secret RxWatch holds does not match the one RxScale signs with.`,
    advice: "Paste the subscription's signing secret under Settings → Signing secrets (or RXSCALE_SIGNING_SECRETS). RxScale retries, so the refused deliveries arrive again.",
  };
}

function describePayload(group: Pick<FailureGroupDto, "count" | "firstSeenAt">, evidence: z.infer<typeof payloadEvidenceSchema>, time: TimeFormatter): FailureDescription {
  const n = plural(group.count, "delivery", "deliveries");
  const since = time(group.firstSeenAt);
  const title = PAYLOAD_TITLES[evidence.reasonCode];
  switch (evidence.reasonCode) {
    case "invalid_json":
      return {
        title,
        cause: `${n} since ${since} were signed correctly but their body is not UTF-8 JSON (an empty body counts too). The signature matched, so the sender holds the secret: the body was broken before it was signed.`,
        advice: `Report the delivery ids to RxScale. ${REPROCESS_ADVICE}`,
      };
    case "invalid_envelope":
      return {
        title,
        cause: `${n} since ${since} were JSON but not an envelope {event_type, timestamp, payload_version, data}${evidence.envelopeProblems.length > 0 ? `: ${evidence.envelopeProblems.map((problem) => `${problem.value} (${problem.count})`).join("; ")}` : ""}. Has RxScale changed its envelope, or is another system posting here?`,
        advice: `Compare a body on the Deliveries page with RxScale's documented envelope; report the delivery ids to RxScale if it changed. ${REPROCESS_ADVICE}`,
      };
    case "too_large":
      return {
        title,
        cause: `${n} since ${since} were larger than the ${Math.round(evidence.maxBodyBytes / 1024)} KiB limit${evidence.largestBodyBytes ? ` (at least ${Math.round(evidence.largestBodyBytes / 1024)} KiB read)` : ""}; they were refused without being read further.`,
        advice: "If RxScale's orders really are this big, raise RXWATCH_WEBHOOK_MAX_BODY_BYTES; RxScale retries, so they arrive again.",
      };
    case "unsupported_media_type":
      return {
        title,
        cause: `${n} since ${since} were not sent as application/json${evidence.contentTypes.length > 0 ? ` (seen: ${list(evidence.contentTypes.map((type) => type.value))})` : " (no Content-Type at all)"}. RxScale always sends JSON: is a proxy rewriting the header, or another sender posting here?`,
        advice: `Find the sender from the Deliveries page; RxScale documents Content-Type: application/json. ${REPROCESS_ADVICE}`,
      };
    case "unsupported_content_encoding":
      return {
        title,
        cause: `${n} since ${since} arrived compressed (${list(evidence.contentEncodings.map((encoding) => encoding.value)) || "Content-Encoding set"}). RxScale signs the bytes it sends and documents no compression, so something in between compressed them.`,
        advice: `Turn off request compression in the proxy in front of RxWatch. ${REPROCESS_ADVICE}`,
      };
    case "body_timeout":
      return {
        title,
        cause: `${n} since ${since} did not finish sending their body within the read deadline; each was answered 408 with what had arrived kept as a sample. A slow network or proxy, or a client holding connections open on purpose?`,
        advice: "If these are RxScale's deliveries, check the network between RxScale and RxWatch (RxScale retries them); if not, block the source. RXWATCH_BODY_READ_TIMEOUT_SECONDS sets the deadline.",
      };
    case "aborted":
      return {
        title,
        cause: `${n} since ${since} were abandoned by their sender before the body was complete. RxScale would retry an unanswered delivery, so a few are harmless; many point to a proxy cutting requests or a probe.`,
        advice: "Compare the source addresses on the Deliveries page (outcome rejected, reason aborted) with RxScale's; check proxy timeouts in front of RxWatch.",
      };
  }
}

function kibibytes(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString("en-US")} KiB`;
}

/**
 * Title, likely cause and advice for a group, written from its evidence. Pure,
 * so the browser writes times in the viewer's zone and tests can pin them.
 */
export function describeFailureGroup(group: Pick<FailureGroupDto, "count" | "firstSeenAt" | "lastSeenAt" | "evidence">, time: TimeFormatter): FailureDescription {
  const evidence = group.evidence;
  switch (evidence.kind) {
    case "signature":
      return describeSignature(group, evidence, time);
    case "payload":
      return describePayload(group, evidence, time);
    case "processing": {
      const code = evidence.error.split(":")[0] ?? evidence.error;
      const state = [evidence.dead > 0 ? `${evidence.dead} dead` : null, evidence.retrying > 0 ? `${evidence.retrying} retrying` : null].filter(Boolean).join(", ");
      const cause =
        code === "invalid_payload"
          ? `RxScale's ${evidence.eventType} payloads lack what the handler needs (${evidence.error.slice(code.length + 2)}). Retrying cannot fix a payload, so they were given up on at once.`
          : code === "handler_timeout"
            ? `The ${evidence.eventType} handler ran out of time: the database was slow or blocked. These usually pass on a replay once it is healthy again.`
            : code === "unexpected_error"
              ? `The ${evidence.eventType} handler crashed (${evidence.error.slice(code.length + 2)}); the server log has the stack. A transient outage passes on a replay; a bug needs a fix first.`
              : `The ${evidence.eventType} handler failed with ${evidence.error}.`;
      return {
        title: `${evidence.eventType}: ${code.replaceAll("_", " ")}`,
        cause: `${state || "none left"} — ${cause}`,
        advice: evidence.isPermanent
          ? "Fix the cause (a handler change, or RxScale fixing its payload), then replay: the dry run shows which orders would change before anything runs."
          : "Retries continue on their own with backoff; dead letters need a replay once the cause is gone.",
      };
    }
    case "duplicate_storm":
      return {
        title: `Duplicate storm: ${evidence.eventType}`,
        cause: `${plural(evidence.events, "event")} delivered again and again (up to ${evidence.maxPerEvent} times within ${evidence.windowMinutes} min) — ${group.count} duplicates since ${time(group.firstSeenAt)}. RxScale retries when it does not see a 2xx in time${evidence.p95AckMs !== null ? ` (RxWatch's p95 acknowledgement for them: ${Math.round(evidence.p95AckMs)} ms)` : ""}: are answers lost or slowed between RxWatch and RxScale?`,
        advice: "Duplicates are harmless (each is counted, never processed twice), but they hide a delivery problem: check proxy timeouts and RxWatch's acknowledgement time on the health chart.",
      };
    case "unknown_type":
      return {
        title: `Unknown event type: ${evidence.eventType}`,
        cause: `RxScale sent ${plural(evidence.events, "event")} of type ${evidence.eventType} since ${time(group.firstSeenAt)}; RxWatch has no handler for that name, so they were stored and acknowledged but changed no order.`,
        advice: "If it is an order or prescription event under another wire name, map it under Settings → Event names, then replay these events. Otherwise add it to RXWATCH_KNOWN_EVENT_TYPES or unsubscribe.",
      };
    case "unknown_version":
      return {
        title: `Unknown payload version: ${evidence.payloadVersion}`,
        cause: `${plural(group.count, "delivery", "deliveries")} since ${time(group.firstSeenAt)} carried payload_version ${evidence.payloadVersion} (${list(evidence.eventTypes.map((type) => type.value))}), which RxWatch does not know. They were processed leniently; new or renamed fields are ignored.`,
        advice: "Check RxScale's changelog for that version; once the handlers are verified against it, add it to RXWATCH_KNOWN_PAYLOAD_VERSIONS.",
      };
    case "stuck_orders": {
      const stages = evidence.byStage.map((entry) => `${STAGE_LABELS[entry.stage]} ${entry.count}`);
      return {
        title: "Stuck orders",
        cause: `${plural(group.count, "order")} stayed in a stage longer than its time budget (${stages.join(", ")})${evidence.oldestStuckSince ? `; the longest since ${time(evidence.oldestStuckSince)}` : ""}. Either the next step really is late, or its event never reached RxWatch.`,
        advice: "Open the stuck orders (Orders → Stuck only) and compare with RxScale; a missing event may be among the signature or payload failures above.",
      };
    }
    case "rejected_over_budget":
      return {
        title: "Rejected requests over budget",
        cause: `${plural(evidence.droppedRequests, "request")} without a valid signature (${kibibytes(evidence.droppedBytes)}) since ${time(group.firstSeenAt)} came from ${plural(evidence.sourceCount, "source address", "source addresses")} over the budget of ${evidence.requestsPerMinute} requests or ${kibibytes(evidence.bytesPerMinute)} a minute per source${evidence.sources.length > 0 ? ` (most: ${list(evidence.sources.map((source) => `${source.value} (${source.count})`))})` : ""}. They were answered 401 as usual, but only counted: no delivery row, no body. Someone is flooding the webhook URL, or RxScale's deliveries all fail their signature.`,
        advice: "If the sources are not RxScale's, block them in the firewall or proxy in front of RxWatch. If they are, fix the signature failure listed with it; raise RXWATCH_REJECTED_REQUESTS_PER_MINUTE only if support needs more of the refused deliveries kept.",
      };
    case "webhooks_missed":
      return {
        title: "Webhooks missed",
        cause: `The reconciliation run of ${time(evidence.runStartedAt)} found ${plural(evidence.missing + evidence.behind - evidence.filled, "order")} that RxScale moved on without RxWatch hearing of it (${evidence.missing} missing, ${evidence.behind} behind${evidence.filled > 0 ? `, ${evidence.filled} filled` : ""}), more than the ${evidence.threshold} tolerated. Their webhooks never arrived.`,
        advice: "Open the run on the Reconciliation page: each order shows its likely cause (no subscription, rejected signatures, RxWatch down). Fix that first; an admin can then fill the orders from RxScale.",
      };
    case "silence": {
      const never = evidence.lastByType.filter((entry) => entry.lastAt === null).map((entry) => entry.eventType);
      return {
        title: "Silence",
        cause: `No delivery since ${time(evidence.lastDeliveryAt)}, longer than the ${evidence.windowMinutes}-minute window, while subscribed to ${list(evidence.expectedTypes)}${never.length > 0 ? ` (${list(never)} never arrived)` : ""}. Is RxScale still delivering to this address, and can it reach RxWatch (DNS, TLS, firewall)? Or is it simply a quiet hour?`,
        advice: "Send a test event from Settings → Subscriptions: it shows at once whether deliveries get through.",
      };
    }
    case "subscription": {
      const checked = evidence.checkError ? ` The latest check could not reach RxScale (${evidence.checkError}); this is as of the last one that could.` : "";
      const advice = "Open Settings → RxScale → Subscriptions and re-create it (or subscribe to the type): RxWatch captures the new signing secret. It resolves itself at the next check.";
      if (evidence.problem === "missing") {
        return { title: `Subscription missing: ${evidence.eventType}`, cause: `RxScale lists no subscription for ${evidence.eventType} since ${time(group.firstSeenAt)}, though RxWatch subscribed to it: deleted at RxScale, or by another tool with the same API key? No ${evidence.eventType} event reaches RxWatch meanwhile.${checked}`, advice };
      }
      if (evidence.problem === "elsewhere") {
        return { title: `Subscription points elsewhere: ${evidence.eventType}`, cause: `RxScale's ${evidence.eventType} subscription delivers to ${evidence.listedTarget ?? "another address"}, not to ${evidence.target} (since ${time(group.firstSeenAt)}). Did the public URL change, or does another RxWatch use the same API key?${checked}`, advice };
      }
      return { title: `Signing secret unknown: ${evidence.eventType}`, cause: `RxScale's ${evidence.eventType} subscription delivers here, but RxWatch holds no signing secret for it (since ${time(group.firstSeenAt)}), so its deliveries will fail verification.${checked}`, advice: `${advice} Or paste its secret under Settings → Signing secrets.` };
    }
    case "quiet_type":
      return {
        title: `Quiet event type: ${evidence.eventType}`,
        cause: `No ${evidence.eventType} event since ${time(evidence.quietSince)}, though the same hour of the week had ${evidence.baseline.join(", ")} in each of the last ${evidence.baseline.length} weeks. Other types may still arrive: has its subscription gone, or has RxScale stopped sending it?`,
        advice: "Check the type's subscription under Settings → RxScale (send a test event); the subscription health check raises its own incident if it is missing.",
      };
    case "payload_drift": {
      const where = `${evidence.eventType} (payload version ${evidence.payloadVersion})`;
      const nested = evidence.nestedPaths.length > 0 ? `, with ${plural(evidence.nestedPaths.length, "nested field")}` : "";
      const cause =
        evidence.change === "new_field"
          ? `${where} payloads carry a field RxWatch never saw: ${evidence.path} (${evidence.typesNow.join(" or ")}${nested}).`
          : evidence.change === "vanished_field"
            ? `${where} payloads stopped carrying ${evidence.path}${nested}, which nearly every earlier one had.`
            : evidence.change === "type_changed"
              ? `${where} payloads hold ${evidence.typesNow.join(" or ")} at ${evidence.path}, where RxWatch saw only ${evidence.typesBefore.join(" or ")} before.`
              : `${where} payloads carry the status "${evidence.path}", which RxScale's docs do not list and RxWatch never saw.`;
      return {
        title: `RxScale's payload changed: ${driftChangeLabel(evidence.change)}`,
        cause: `${cause} First seen ${time(group.firstSeenAt)}; ${plural(group.count, "event")} so far.${evidence.expected ? ` Marked expected by ${evidence.expected.by} at ${time(evidence.expected.at)}.` : ""}`,
        advice: evidence.expected
          ? "Nothing to do: it is the new normal and no longer raises."
          : "Check RxScale's changelog and the orders these events touched. If RxWatch reads the payload right, an admin marks the change expected; otherwise report it to RxScale.",
      };
    }
  }
}
