import { z } from "zod";
import { statedReasonSchema } from "./stated-reason";
import { REDACTION_CATEGORIES } from "./redaction";
import { ATTEMPT_OUTCOMES, eventStatusSchema } from "./processing";
import { deliveryFlagSchema, deliveryOutcomeSchema } from "./rxscale/deliveries";

/*
 * The deliveries list API (GET /api/deliveries, /api/deliveries/:id,
 * /api/deliveries/export) as browser and server both see it. Filters live in
 * the page URL, so the query schemas parse URLSearchParams; anything they do
 * not understand is dropped rather than refused, like the orders page.
 */

export const DELIVERY_PAGE_SIZE = 100;
/** Most rows one list request may ask for. */
export const MAX_DELIVERY_PAGE_SIZE = 200;
/** Most rows one export writes; `max` may only lower it. */
export const EXPORT_MAX_ROWS = 100_000;
export const EXPORT_FORMATS = ["csv", "ndjson"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Time-range presets of the deliveries list; `custom` reads `from`/`to`, `all` has no bound. */
export const DELIVERY_RANGES = ["15m", "1h", "24h", "7d", "custom", "all"] as const;
export const deliveryRangeSchema = z.enum(DELIVERY_RANGES);
export type DeliveryRange = z.infer<typeof deliveryRangeSchema>;
export const DELIVERY_RANGE_SECONDS: Record<Exclude<DeliveryRange, "custom" | "all">, number> = { "15m": 900, "1h": 3600, "24h": 86_400, "7d": 7 * 86_400 };

const optionalText = z
  .string()
  .trim()
  .max(256)
  .optional()
  .catch(undefined)
  .transform((value) => (value ? value : undefined));

const optionalInstant = z.iso
  .datetime({ offset: true })
  .optional()
  .catch(undefined)
  .transform((value) => (value ? new Date(value).toISOString() : undefined));

/** What narrows the deliveries list; shared by the list, the "new while paused" count and the export. */
export const deliveryFiltersSchema = z.object({
  /** The stored event's type. Rejected deliveries have no event, so they never match. */
  type: optionalText,
  outcome: deliveryOutcomeSchema.optional().catch(undefined),
  /** The event's processing state. */
  state: eventStatusSchema.optional().catch(undefined),
  range: deliveryRangeSchema.default("all").catch("all"),
  /** Inclusive bounds, only with range=custom. */
  from: optionalInstant,
  to: optionalInstant,
  /** Exact order uid of the event. */
  order: optionalText,
  /** Exact match on any extracted key: order uid, pharmacy-order uid, shop order name (with or without "#"), patient uid, pharmacy uid. */
  q: optionalText,
});
export type DeliveryFilters = z.infer<typeof deliveryFiltersSchema>;

export const deliveriesQuerySchema = deliveryFiltersSchema.extend({
  /** Continue after this row (older rows). */
  cursor: optionalText,
  /** Instead of a page of older rows: rows newer than this one, oldest first (what arrived while the view was paused). */
  newer: optionalText,
  limit: z.coerce.number().int().min(1).max(MAX_DELIVERY_PAGE_SIZE).default(DELIVERY_PAGE_SIZE).catch(DELIVERY_PAGE_SIZE),
});
export type DeliveriesQuery = z.infer<typeof deliveriesQuerySchema>;

export const deliveriesExportQuerySchema = deliveryFiltersSchema.extend({
  format: z.enum(EXPORT_FORMATS).default("csv").catch("csv"),
  max: z.coerce.number().int().min(1).max(EXPORT_MAX_ROWS).default(EXPORT_MAX_ROWS).catch(EXPORT_MAX_ROWS),
  /** "1": add a `body` column, redacted like the detail view (GET); an admin's export with a reason always has it, unredacted. */
  bodies: z
    .enum(["1", "true"])
    .optional()
    .catch(undefined)
    .transform((value) => value !== undefined),
});
export type DeliveriesExportQuery = z.infer<typeof deliveriesExportQuerySchema>;

/** Why someone needs to see personal data: required, stated in words, kept in the audit log. */
export const PERSONAL_DATA_REASON_MIN_CHARS = 10;
export const PERSONAL_DATA_REASON_MAX_CHARS = 500;
export const personalDataReasonSchema = statedReasonSchema({
  minChars: PERSONAL_DATA_REASON_MIN_CHARS,
  maxChars: PERSONAL_DATA_REASON_MAX_CHARS,
  tooShort: `Say why, in at least ${PERSONAL_DATA_REASON_MIN_CHARS} characters.`,
});

/** POST /api/deliveries/:id/reveal */
export const revealRequestSchema = z.object({ reason: personalDataReasonSchema });
export const revealResultDtoSchema = z.object({ deliveryId: z.string(), expiresAt: z.iso.datetime() });
export type RevealResultDto = z.infer<typeof revealResultDtoSchema>;

/** POST /api/deliveries/export (admins): the same filters as the GET export, in a JSON body with the reason. */
export const personalDataExportRequestSchema = z.object({
  reason: personalDataReasonSchema,
  filters: z.record(z.string(), z.string()).default({}),
});

/** Serialises filters (and paging) into the search string the page URL and the API share; defaults are left out. */
export function deliveriesQueryToSearch(query: Partial<DeliveriesQuery & DeliveriesExportQuery>): string {
  const params = new URLSearchParams();
  if (query.type) params.set("type", query.type);
  if (query.outcome) params.set("outcome", query.outcome);
  if (query.state) params.set("state", query.state);
  if (query.range && query.range !== "all") params.set("range", query.range);
  if (query.range === "custom" && query.from) params.set("from", query.from);
  if (query.range === "custom" && query.to) params.set("to", query.to);
  if (query.order) params.set("order", query.order);
  if (query.q) params.set("q", query.q);
  if (query.cursor) params.set("cursor", query.cursor);
  if (query.newer) params.set("newer", query.newer);
  if (query.limit !== undefined && query.limit !== DELIVERY_PAGE_SIZE) params.set("limit", String(query.limit));
  if (query.format) params.set("format", query.format);
  if (query.max !== undefined && query.max !== EXPORT_MAX_ROWS) params.set("max", String(query.max));
  if (query.bodies) params.set("bodies", "1");
  return params.toString();
}

/** What a listed delivery's event looks like; null for rejected deliveries, which never became one. */
export const deliveryEventSummaryDtoSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: eventStatusSchema,
  attempts: z.number().int(),
  duplicateCount: z.number().int(),
  orderUid: z.string().nullable(),
  pharmacyOrderUid: z.string().nullable(),
});

export const deliveryRowDtoSchema = z.object({
  id: z.string(),
  receivedAt: z.iso.datetime(),
  outcome: deliveryOutcomeSchema,
  httpStatus: z.number().int(),
  reasonCode: z.string().nullable(),
  /** For a quarantined delivery: the field and the rule it broke, never a value. */
  reasonDetail: z.string().nullable(),
  flags: z.array(deliveryFlagSchema),
  /** X-Webhook-Event as sent: unverified, but all a rejected delivery says about its type. */
  eventTypeHeader: z.string().nullable(),
  bodySize: z.number().int(),
  event: deliveryEventSummaryDtoSchema.nullable(),
});
export type DeliveryRowDto = z.infer<typeof deliveryRowDtoSchema>;

export const deliveriesPageDtoSchema = z.object({
  deliveries: z.array(deliveryRowDtoSchema),
  /** Pass as `cursor` for the next older page; null at the end (and for `newer` requests). */
  nextCursor: z.string().nullable(),
  /** The first row's position: pass as `newer` to ask what arrived since. Null for an empty page. */
  newestCursor: z.string().nullable(),
});
export type DeliveriesPageDto = z.infer<typeof deliveriesPageDtoSchema>;

/**
 * A delivery's raw body as the detail view shows it. The server decides the
 * presentation (and, for roles that may not see patient data, will mask it
 * there), so the browser only renders what it is given.
 * - `json`: UTF-8 JSON, pretty-printed;
 * - `text`: UTF-8 that is not JSON;
 * - `binary`: not UTF-8; a hex preview of the first bytes;
 * - `none`: no body stored — refused before it was read (413/415) or not kept;
 * - `sample`: a refused request (no valid signature) keeps only its first `sampleBytes` bytes of `size`
 *   (docs/ingest.md#rejected-requests): shown as text, or masked whole (a cut JSON cannot be masked field by field);
 * - `not_displayable`: stored, but too deep or too large to render (or rendering
 *   failed); its hash and size identify it.
 */
/** Why a stored body is not rendered: nested past the display depth, past the output cap, or rendering failed. */
export const notDisplayableReasonSchema = z.enum(["too_deep", "too_large", "failed"]);
export type NotDisplayableReason = z.infer<typeof notDisplayableReasonSchema>;

export const deliveryBodyDtoSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("json"), size: z.number().int(), text: z.string() }),
  z.object({ kind: z.literal("text"), size: z.number().int(), text: z.string() }),
  z.object({ kind: z.literal("binary"), size: z.number().int(), hexPreview: z.string(), previewBytes: z.number().int() }),
  z.object({ kind: z.literal("none"), size: z.number().int(), reason: z.enum(["not_read", "not_kept"]) }),
  z.object({ kind: z.literal("sample"), size: z.number().int(), sampleBytes: z.number().int(), text: z.string() }),
  z.object({ kind: z.literal("not_displayable"), size: z.number().int(), sha256: z.string(), reason: notDisplayableReasonSchema }),
]);
export type DeliveryBodyDto = z.infer<typeof deliveryBodyDtoSchema>;

/**
 * How the signature check went:
 * - `verified`: a configured secret produced the signature (`secretId` names it);
 * - `failed`: missing, malformed or matching no secret (`reasonCode` says which);
 * - `not_checked`: refused before the signature check (media type, encoding, size).
 */
export const verificationDtoSchema = z.object({
  status: z.enum(["verified", "failed", "not_checked"]),
  secretId: z.string().nullable(),
  /** The stored secret's label and hint ("…abcd"), or which environment entry; null when unknown (e.g. since deleted). */
  secretDescription: z.string().nullable(),
  reasonCode: z.string().nullable(),
  /** A sentence for support: what happened and the likely cause. */
  explanation: z.string(),
  /** The X-Webhook-Signature value received, if any (a MAC of the body, not a secret). */
  signatureHeader: z.string().nullable(),
});
export type VerificationDto = z.infer<typeof verificationDtoSchema>;

export const deliveryEventDetailDtoSchema = z.object({
  id: z.string(),
  type: z.string(),
  /** Envelope `timestamp`, Unix seconds, and the same as an instant. */
  timestamp: z.number().int(),
  timestampAt: z.iso.datetime(),
  payloadVersion: z.string(),
  /** RxScale's dedup key is event_type + timestamp + data.uid; dataUid is "" when the payload has none. */
  dataUid: z.string(),
  isKeyCollision: z.boolean(),
  isKnownType: z.boolean(),
  firstReceivedAt: z.iso.datetime(),
  lastReceivedAt: z.iso.datetime(),
  duplicateCount: z.number().int(),
  status: eventStatusSchema,
  attempts: z.number().int(),
  nextAttemptAt: z.iso.datetime(),
  processedAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  orderUid: z.string().nullable(),
  pharmacyOrderUid: z.string().nullable(),
  shopOrderName: z.string().nullable(),
  pharmacyUid: z.string().nullable(),
});

export const relatedDeliveryDtoSchema = z.object({
  id: z.string(),
  receivedAt: z.iso.datetime(),
  outcome: deliveryOutcomeSchema,
  httpStatus: z.number().int(),
  reasonCode: z.string().nullable(),
});

export const processingAttemptDtoSchema = z.object({
  attempt: z.number().int(),
  worker: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  outcome: z.enum(ATTEMPT_OUTCOMES),
  error: z.string().nullable(),
});

/**
 * Whether the body above is masked for this viewer (lib/redaction.ts), which
 * paths were masked, and the viewer's reveal grant when it is not.
 */
export const personalDataDtoSchema = z.object({
  masked: z.boolean(),
  maskedPaths: z.array(z.object({ path: z.string(), category: z.enum(REDACTION_CATEGORIES) })),
  /** When the viewer's reveal of this delivery ends (null while masked). */
  revealExpiresAt: z.iso.datetime().nullable(),
  /** The viewer's role may reveal it (support and admin) and there is something to reveal. */
  canReveal: z.boolean(),
});
export type PersonalDataDto = z.infer<typeof personalDataDtoSchema>;

export const deliveryDetailDtoSchema = z.object({
  delivery: deliveryRowDtoSchema.extend({
    bodySha256: z.string(),
    sourceAddress: z.string().nullable(),
    ackMs: z.number().nullable(),
  }),
  /** The recorded request headers (never cookies or Authorization), in the order stored. */
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
  body: deliveryBodyDtoSchema,
  personalData: personalDataDtoSchema,
  verification: verificationDtoSchema,
  event: deliveryEventDetailDtoSchema.nullable(),
  /** Every delivery of the same event, newest first, this one included; at most RELATED_DELIVERIES_SHOWN. */
  eventDeliveries: z.array(relatedDeliveryDtoSchema),
  /** Processing runs of the event, oldest first. */
  attempts: z.array(processingAttemptDtoSchema),
});
export type DeliveryDetailDto = z.infer<typeof deliveryDetailDtoSchema>;

/** Deliveries of one event listed in the detail; a duplicate storm shows its newest ones and the event's count. */
export const RELATED_DELIVERIES_SHOWN = 50;

/** Delivery ids are time-ordered UUIDs today; the bound only keeps junk out of queries. */
export const deliveryIdSchema = z.string().trim().min(1).max(100);

/** POST /api/deliveries/quarantine/reprocess: `dryRun` (the default) only reports what a release would do. */
export const quarantineReprocessRequestSchema = z.object({ dryRun: z.boolean().default(true) });

/** What re-processing quarantined deliveries did (or, in a dry run, would do): counts and reasons, never a value. */
export const quarantineReprocessDtoSchema = z.object({
  dryRun: z.boolean(),
  /** Quarantined deliveries looked at (the oldest first, at most the batch limit). */
  examined: z.number().int().nonnegative(),
  /** Now readable: released into events (or, in a dry run, would be). */
  released: z.number().int().nonnegative(),
  /** Released deliveries whose event was new (the rest matched an event already stored). */
  newEvents: z.number().int().nonnegative(),
  /** Still unreadable, per reason code and field + rule. */
  stillQuarantined: z.array(z.object({ reasonCode: z.string(), detail: z.string(), count: z.number().int().nonnegative() })),
  /** Quarantined deliveries left after this run (beyond the batch limit too). */
  remaining: z.number().int().nonnegative(),
});
export type QuarantineReprocessDto = z.infer<typeof quarantineReprocessDtoSchema>;
