import { z } from "zod";

/*
 * The envelope RxScale wraps every webhook event in (docs/rxscale.md#envelope). Only the
 * envelope is validated at ingest; `data` is event-specific and its shape is
 * checked by the event's handler, so a payload change RxScale did not announce
 * is stored and flagged rather than refused.
 */

/**
 * Longest accepted `event_type`, `payload_version` and `data.uid`. They go into
 * a unique index, and PostgreSQL refuses index rows over ~2.7 kB: without a
 * limit, one absurd value would turn into a 5xx and an endless retry.
 */
export const MAX_ENVELOPE_KEY_LENGTH = 256;

export const webhookEnvelopeSchema = z.object({
  event_type: z.string("must be a string").min(1, "must be a non-empty string").max(MAX_ENVELOPE_KEY_LENGTH, `must be at most ${MAX_ENVELOPE_KEY_LENGTH} characters`),
  /** Unix seconds (RxScale's examples are 10-digit values). */
  timestamp: z.int("must be an integer number of seconds").nonnegative("must not be negative"),
  payload_version: z.string("must be a string").min(1, "must be a non-empty string").max(MAX_ENVELOPE_KEY_LENGTH, `must be at most ${MAX_ENVELOPE_KEY_LENGTH} characters`),
  data: z.record(z.string(), z.unknown(), "must be a JSON object"),
});

export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

export type EnvelopeParseResult =
  | { ok: true; envelope: WebhookEnvelope; dataUid: string }
  | { ok: false; field: string; message: string };

/**
 * The pharmacy-order UID part of RxScale's dedup key: `data.uid` as a string
 * (a number is accepted and written in decimal), or "" when the payload has
 * none, so that the unique index still applies.
 */
export function dataUidOf(data: Record<string, unknown>): string {
  const uid = data.uid;
  if (typeof uid === "string") return uid;
  if (typeof uid === "number" && Number.isFinite(uid)) return String(uid);
  return "";
}

/**
 * Validates an already-parsed JSON value as an envelope. Never throws; a
 * failure names the first offending field (never its value, which could be
 * patient data).
 */
export function parseWebhookEnvelope(value: unknown): EnvelopeParseResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, field: "(body)", message: "must be a JSON object" };
  }
  const parsed = webhookEnvelopeSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "(body)";
    const isMissing = issue?.path.length === 1 && !Object.hasOwn(value, String(issue.path[0]));
    return { ok: false, field, message: isMissing ? "is required" : (issue?.message ?? "is invalid") };
  }
  const dataUid = dataUidOf(parsed.data.data);
  if (dataUid.length > MAX_ENVELOPE_KEY_LENGTH) {
    return { ok: false, field: "data.uid", message: `must be at most ${MAX_ENVELOPE_KEY_LENGTH} characters` };
  }
  return { ok: true, envelope: parsed.data, dataUid };
}

/**
 * Readings RxWatch takes where RxScale's docs leave the envelope's types open
 * (docs/rxscale.md#envelope): the delivery is accepted and flagged with the
 * reading's name, so support can see which assumption the body contradicted.
 * - `payload_version_as_number`: `payload_version` arrived as a number and is read as its decimal string;
 * - `payload_version_missing`: no `payload_version`; read as "1", the only version RxScale documents;
 * - `timestamp_as_string`: `timestamp` arrived as a string of digits and is read as that number of seconds.
 */
export const LENIENT_READINGS = ["payload_version_as_number", "payload_version_missing", "timestamp_as_string"] as const;
export type LenientReading = (typeof LENIENT_READINGS)[number];

/** At most 15 digits: every such value is a safe integer, and no plausible seconds value is longer. */
const DIGITS_ONLY = /^\d{1,15}$/;

export type LenientEnvelopeResult =
  | { ok: true; envelope: WebhookEnvelope; dataUid: string; readings: LenientReading[] }
  | { ok: false; field: string; message: string };

/**
 * Like {@link parseWebhookEnvelope}, after reading the documented-but-ambiguous
 * fields leniently (see {@link LENIENT_READINGS}). Never throws; the input is not modified.
 */
export function readEnvelopeLeniently(value: unknown): LenientEnvelopeResult {
  const readings: LenientReading[] = [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const parsed = parseWebhookEnvelope(value);
    return parsed.ok ? { ...parsed, readings } : parsed;
  }
  const record: Record<string, unknown> = { ...value };
  const version = record.payload_version;
  if (!Object.hasOwn(record, "payload_version")) {
    record.payload_version = "1";
    readings.push("payload_version_missing");
  } else if (typeof version === "number" && Number.isFinite(version)) {
    record.payload_version = String(version);
    readings.push("payload_version_as_number");
  }
  const timestamp = record.timestamp;
  if (typeof timestamp === "string" && DIGITS_ONLY.test(timestamp)) {
    record.timestamp = Number(timestamp);
    readings.push("timestamp_as_string");
  }
  const parsed = parseWebhookEnvelope(record);
  return parsed.ok ? { ...parsed, readings } : parsed;
}
