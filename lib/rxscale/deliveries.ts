import { z } from "zod";
import { LENIENT_READINGS } from "./envelope";

/*
 * Vocabulary of the webhook endpoint: what became of a delivery, why a
 * delivery was refused, and what was noticed about one that was accepted.
 * Stored on every Delivery row and returned in error bodies, so the UI and
 * support read the same words.
 */

/**
 * accepted = created an event; duplicate = matched an event already stored; rejected = refused with a 4xx;
 * quarantined = correctly signed but unreadable: stored and answered 200 without an event, until support
 * re-processes it (docs/ingest.md#quarantine); released = a quarantined delivery whose body a re-process turned into an event.
 */
export const DELIVERY_OUTCOMES = ["accepted", "duplicate", "rejected", "quarantined", "released"] as const;
export const deliveryOutcomeSchema = z.enum(DELIVERY_OUTCOMES);
export type DeliveryOutcome = z.infer<typeof deliveryOutcomeSchema>;

/**
 * Why a delivery was refused, with the HTTP status it got. A refusal is final
 * for that body: RxScale's retry of the same bytes gets the same answer.
 * - `unsupported_media_type` (415): Content-Type is not application/json (charset utf-8 allowed).
 * - `unsupported_content_encoding` (415): a Content-Encoding other than identity. RxScale documents
 *   no compression and signs the bytes it sends, so a compressed body is refused rather than guessed at.
 * - `too_large` (413): the body exceeds RXWATCH_WEBHOOK_MAX_BODY_BYTES; reading stops at the limit.
 * - `missing_signature` (401): no X-Webhook-Signature header.
 * - `malformed_signature` (401): the header is not 64 hex characters.
 * - `bad_signature` (401): no configured signing secret produced that signature for these bytes.
 * - `invalid_json` (400): signed correctly, but the body is not JSON.
 * - `invalid_envelope` (400): JSON, but not an envelope `{ event_type, timestamp, payload_version, data }`.
 * - `body_timeout` (408): the body did not arrive within RXWATCH_BODY_READ_TIMEOUT_SECONDS.
 * - `aborted` (400, never seen by the sender): the client went away before the body was complete.
 */
export const REJECTION_CODES = [
  "unsupported_media_type",
  "unsupported_content_encoding",
  "too_large",
  "missing_signature",
  "malformed_signature",
  "bad_signature",
  "invalid_json",
  "invalid_envelope",
  "body_timeout",
  "aborted",
] as const;
export const rejectionCodeSchema = z.enum(REJECTION_CODES);
export type RejectionCode = z.infer<typeof rejectionCodeSchema>;

export const REJECTION_STATUS: Record<RejectionCode, 400 | 401 | 408 | 413 | 415> = {
  unsupported_media_type: 415,
  unsupported_content_encoding: 415,
  too_large: 413,
  missing_signature: 401,
  malformed_signature: 401,
  bad_signature: 401,
  invalid_json: 400,
  invalid_envelope: 400,
  body_timeout: 408,
  aborted: 400,
};

/**
 * Why a correctly signed delivery was quarantined instead of refused: the
 * codes a refusal would have had. Its field and rule are stored beside it
 * (Delivery.reasonDetail), never a value.
 */
export const QUARANTINE_CODES = ["unsupported_media_type", "unsupported_content_encoding", "invalid_json", "invalid_envelope"] as const satisfies readonly RejectionCode[];
export type QuarantineCode = (typeof QUARANTINE_CODES)[number];

/**
 * `storage_unavailable` (503): RxWatch could not store the delivery. Nothing
 * was acknowledged; RxScale retries. Never recorded (storing is what failed).
 */
export const STORAGE_UNAVAILABLE = "storage_unavailable";

/**
 * What was noticed about an accepted or duplicate delivery; never a reason to
 * refuse it. Listed most significant first: a delivery's reason code is its
 * first flag in this order.
 * - `key_collision`: another body already has this event's dedup key (RxScale's key has one-second resolution).
 * - `unknown_event_type`: not in RXWATCH_KNOWN_EVENT_TYPES (or the built-in list).
 * - `unknown_payload_version`: not in RXWATCH_KNOWN_PAYLOAD_VERSIONS (or "1").
 * - `event_type_header_mismatch`: X-Webhook-Event differs from the body's event_type (the body wins).
 * - `payload_version_as_number`, `payload_version_missing`, `timestamp_as_string`: the envelope was read
 *   leniently where RxScale's docs are ambiguous (lib/rxscale/envelope.ts, LENIENT_READINGS).
 */
export const DELIVERY_FLAGS = [
  "key_collision",
  "unknown_event_type",
  "unknown_payload_version",
  "event_type_header_mismatch",
  ...LENIENT_READINGS,
] as const;
export const deliveryFlagSchema = z.enum(DELIVERY_FLAGS);
export type DeliveryFlag = z.infer<typeof deliveryFlagSchema>;

/** Flags in their documented order, as stored in Delivery.flags. */
export function formatDeliveryFlags(flags: Iterable<DeliveryFlag>): string {
  const present = new Set(flags);
  return DELIVERY_FLAGS.filter((flag) => present.has(flag)).join(",");
}

/** Parses Delivery.flags; unknown words (from a newer version) are dropped. */
export function parseDeliveryFlags(stored: string): DeliveryFlag[] {
  return stored
    .split(",")
    .map((word) => deliveryFlagSchema.safeParse(word.trim()))
    .flatMap((parsed) => (parsed.success ? [parsed.data] : []));
}

/**
 * 200 body for a stored delivery: RxScale only looks at the status, people reading logs see the event id
 * (or, for a quarantined delivery, which has no event yet, the delivery id).
 */
export const webhookAckSchema = z.union([
  z.object({ status: z.enum(["accepted", "duplicate"]), event_id: z.string() }),
  z.object({ status: z.literal("quarantined"), delivery_id: z.string() }),
]);
export type WebhookAck = z.infer<typeof webhookAckSchema>;

/** Body of every non-2xx answer. The message never repeats payload data. */
export const webhookErrorSchema = z.object({
  error: z.object({ code: z.union([rejectionCodeSchema, z.literal(STORAGE_UNAVAILABLE)]), message: z.string() }),
});
export type WebhookError = z.infer<typeof webhookErrorSchema>;
