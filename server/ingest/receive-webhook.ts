import "server-only";
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  REJECTION_STATUS,
  STORAGE_UNAVAILABLE,
  type DeliveryFlag,
  type RejectionCode,
  type WebhookAck,
  type WebhookError,
} from "@/lib/rxscale/deliveries";
import { patientUidOf, patientUidOfBody } from "@/lib/order-facts";
import { patientSearchKey } from "@/server/crypto/search-key";
import { verifyWebhookSignature } from "@/server/crypto/webhook-signature";
import { driverErrorCause } from "@/server/core/driver-error";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { eventTypeLabel, metrics, type IngestOutcome } from "@/server/core/metrics";
import type { DeliveryWrite } from "@/server/repositories/deliveries";
import { isKnownEventType, isKnownPayloadVersion } from "@/server/ingest/known-types";
import { readCappedBody, type CappedBody } from "@/server/core/read-body";
import { PEER_ADDRESS_HEADER } from "@/server/core/client-address";
import { handOffToProcessingThread } from "@/server/ingest/ingest-handoff";
import { recordDelivery } from "@/server/ingest/record-delivery";
import { admitRejectedRequest, rejectedBodySample } from "@/server/ingest/rejected-budget";
import { RECORDED_HEADERS, requestMetadata, type RequestMetadata } from "@/server/core/request-metadata";
import { eventWriteOf, readSignedBody, type SignedBodyReading } from "@/server/ingest/quarantine";
import { loadSignatureCandidates, noteSigningSecretMatched } from "@/server/signing-secrets/signing-secrets";
import { timeOrderedId } from "@/server/core/time-ordered-id";
import { isShuttingDown, trackIngest } from "@/server/core/shutdown";

export interface WebhookReply {
  status: number;
  body: WebhookAck | WebhookError;
}

/** Stored as the body hash of a delivery whose body was never read (413, 415). */
const UNREAD_BODY_SHA256 = "";

/**
 * Error name, driver code and the database's reason (e.g. "sqlite SQLITE_FULL", "DatabaseNotReachable") only:
 * database messages can quote the values of the statement.
 */
function errorFields(error: unknown): { error: string; code?: string; cause?: string } {
  if (!(error instanceof Error)) return { error: "unknown" };
  const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
  const cause = driverErrorCause(error);
  return { error: error.name, ...(code === undefined ? {} : { code }), ...(cause === undefined ? {} : { cause }) };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function rejectionMessage(code: RejectionCode, detail: string | undefined): string {
  switch (code) {
    case "unsupported_media_type":
      return "Send the body as Content-Type: application/json (UTF-8).";
    case "unsupported_content_encoding":
      return "Compressed bodies are not accepted: send the body uncompressed, exactly as it was signed.";
    case "too_large":
      return `Bodies are limited to ${env().RXWATCH_WEBHOOK_MAX_BODY_BYTES} bytes.`;
    case "missing_signature":
      return "The X-Webhook-Signature header is missing.";
    case "malformed_signature":
      return "X-Webhook-Signature must be the 64 hexadecimal characters of an HMAC-SHA256.";
    case "bad_signature":
      return "X-Webhook-Signature does not match this body for any configured signing secret.";
    case "invalid_json":
      return "The body is not valid UTF-8 JSON.";
    case "invalid_envelope":
      return `The body is not an RxScale webhook envelope: ${detail ?? "it is invalid"}.`;
    case "body_timeout":
      return `The body did not arrive within ${env().RXWATCH_BODY_READ_TIMEOUT_SECONDS} seconds.`;
    case "aborted":
      return "The body ended before it was complete.";
  }
}

interface BodyFacts {
  bytes: Uint8Array | null;
  size: number;
  sha256: string;
}

const NO_BODY: BodyFacts = { bytes: null, size: 0, sha256: UNREAD_BODY_SHA256 };

interface Context {
  receivedAt: Date;
  startedAt: number;
  metadata: RequestMetadata;
  /** The envelope's event type once parsed; only ever used as a metric label through eventTypeLabel. */
  eventType: string | null;
}

/** Keyed hash of the patient uid in `patientUid`; null when there is none. */
function patientKeyOf(patientUid: string | null): string | null {
  return patientUid === null ? null : patientSearchKey(patientUid);
}

function deliveryWrite(context: Context, body: BodyFacts, fields: Pick<DeliveryWrite, "rejection" | "flags" | "matchedSecretId" | "event">, patientKey: string | null): DeliveryWrite {
  return {
    id: timeOrderedId(context.receivedAt.getTime()),
    receivedAt: context.receivedAt,
    bodySha256: body.sha256,
    bodySize: body.size,
    body: body.bytes,
    patientKey,
    headers: context.metadata.headers,
    sourceAddress: context.metadata.sourceAddress,
    eventTypeHeader: context.metadata.eventTypeHeader,
    ...fields,
  };
}

function storageUnavailable(): WebhookReply {
  return { status: 503, body: { error: { code: STORAGE_UNAVAILABLE, message: "RxWatch could not store this delivery. Nothing was acknowledged: retry later." } } };
}

function shuttingDown(): WebhookReply {
  return { status: 503, body: { error: { code: STORAGE_UNAVAILABLE, message: "This RxWatch instance is shutting down. Nothing was acknowledged: retry later." } } };
}

/**
 * Records a refused delivery, then answers with its 4xx — also when recording fails, since retrying would not help
 * the sender. Anyone can be refused, so the record keeps a sample of the body, not the body, and only within the
 * source's rejected-request budget; beyond it the request is only counted (server/ingest/rejected-budget.ts).
 */
async function reject(context: Context, code: RejectionCode, body: BodyFacts, detail?: string): Promise<WebhookReply> {
  const status = REJECTION_STATUS[code];
  let isRecorded = false;
  try {
    if (await admitRejectedRequest(context.metadata.sourceAddress, body.size, context.receivedAt)) {
      const sample = body.bytes === null ? null : rejectedBodySample(body.bytes);
      // The sample is kept, so an erasure request must find it: best effort, from the whole body, whatever it is.
      const write = deliveryWrite(context, { ...body, bytes: sample }, { rejection: { reasonCode: code, httpStatus: status }, flags: [], matchedSecretId: null, event: null }, patientKeyOf(patientUidOfBody(body.bytes)));
      await recordDelivery(write, context.startedAt);
      isRecorded = true;
    }
  } catch (error) {
    log("error", "could not record a rejected delivery", { reasonCode: code, ...errorFields(error) });
  }
  if (isRecorded) log("info", "webhook delivery rejected", { reasonCode: code, status, bodySize: body.size });
  return { status, body: { error: { code, message: rejectionMessage(code, detail) } } };
}

/** Stores a correctly signed delivery RxWatch could not read and answers 200; 503 only when storing failed. */
async function quarantine(context: Context, body: BodyFacts, matchedSecretId: string, reading: Extract<SignedBodyReading, { kind: "quarantine" }>): Promise<WebhookReply> {
  const write = deliveryWrite(context, body, { rejection: null, flags: [], matchedSecretId, event: null }, patientKeyOf(patientUidOfBody(body.bytes)));
  try {
    await recordDelivery({ ...write, quarantine: { reasonCode: reading.reasonCode, detail: reading.detail } }, context.startedAt);
  } catch (error) {
    log("error", "could not store a quarantined delivery; answered 503 so RxScale retries", { deliveryId: write.id, ...errorFields(error) });
    return storageUnavailable();
  }
  log("warn", "webhook delivery quarantined", { deliveryId: write.id, reasonCode: reading.reasonCode, detail: reading.detail, bodySize: body.size });
  return { status: 200, body: { status: "quarantined", delivery_id: write.id } };
}

/** A webhook request once its body is read, as plain data: what the rest of ingest needs, in this thread or the processing thread. */
export interface ReadWebhook {
  read: CappedBody;
  /** The request's headers that ingest looks at ({@link INGEST_HEADERS}), as name-value pairs. */
  headers: [string, string][];
  receivedAtMs: number;
  /** When the request arrived, in epoch milliseconds at performance.now()'s precision (each thread has its own performance.now()). */
  startedAtEpochMs: number;
}

/** The answer to a {@link ReadWebhook}, and the event type it carried (a metric label, through eventTypeLabel). */
export interface StoredWebhook {
  reply: WebhookReply;
  eventType: string | null;
}

/** Every header read after the body: the recorded ones (signature, content type and encoding, X-Webhook-Event, X-Forwarded-For) and the socket peer. */
const INGEST_HEADERS: readonly string[] = [...RECORDED_HEADERS, PEER_ADDRESS_HEADER];

function ingestHeaders(headers: Headers): [string, string][] {
  const kept: [string, string][] = [];
  for (const name of INGEST_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept.push([name, value]);
  }
  return kept;
}

/**
 * Handles one POST to the webhook endpoint in RxScale's required order; every request
 * ends as a Delivery row. A correctly signed body is never refused: what cannot be read is
 * quarantined (200). 4xx: this request will never be accepted; the only 5xx is 503
 * `storage_unavailable`, so RxScale retries; 200 only after the commit. During shutdown
 * new requests get 503 unread. See docs/ingest.md#what-happens-to-a-delivery
 *
 * This thread reads the body; the rest runs in the processing thread when one
 * is running (server/ingest/ingest-handoff.ts), so verifying, parsing and
 * committing stay off the event loop that serves every request.
 */
export async function receiveRxscaleWebhook(request: Request): Promise<WebhookReply> {
  const startedAt = performance.now();
  const receivedAt = new Date();
  const stored: StoredWebhook = isShuttingDown()
    ? { reply: shuttingDown(), eventType: null }
    : await trackIngest(async () => {
        const read = await readCappedBody(request, env().RXWATCH_WEBHOOK_MAX_BODY_BYTES);
        const webhook: ReadWebhook = { read, headers: ingestHeaders(request.headers), receivedAtMs: receivedAt.getTime(), startedAtEpochMs: performance.timeOrigin + startedAt };
        const handOff = await handOffToProcessingThread(webhook);
        if (handOff.kind === "stored") return handOff.stored;
        if (handOff.kind === "no-thread") return storeReadWebhook(webhook);
        log("error", handOff.kind === "no-answer" ? "the processing thread did not answer a webhook request in time; answered 503 so RxScale retries" : "the processing thread ended before answering a webhook request; answered 503 so RxScale retries");
        return { reply: storageUnavailable(), eventType: null };
      });
  countReply(stored, startedAt);
  return stored.reply;
}

/** Everything after reading the body: verify, read, store, answer. Never throws; a failure to store is a 503. */
export async function storeReadWebhook(webhook: ReadWebhook): Promise<StoredWebhook> {
  const headers = new Headers(webhook.headers);
  const context: Context = {
    receivedAt: new Date(webhook.receivedAtMs),
    startedAt: webhook.startedAtEpochMs - performance.timeOrigin,
    metadata: requestMetadata(headers),
    eventType: null,
  };
  try {
    return { reply: await receive(webhook.read, headers, context), eventType: context.eventType };
  } catch (error) {
    log("error", "a webhook request failed unexpectedly; answered 503 so RxScale retries", errorFields(error));
    return { reply: storageUnavailable(), eventType: context.eventType };
  }
}

/** Counts the answer by outcome, rejection code and event type — bounded sets only, never a value from the request. */
function countReply({ reply, eventType }: StoredWebhook, startedAt: number): void {
  const outcome: IngestOutcome = "status" in reply.body ? reply.body.status : reply.status >= 500 ? "unavailable" : "rejected";
  const reason = outcome === "rejected" && "error" in reply.body ? reply.body.error.code : "none";
  const m = metrics();
  m.deliveries.inc({ outcome, reason, event_type: eventTypeLabel(eventType) });
  m.ackSeconds.observe({ outcome }, (performance.now() - startedAt) / 1000);
}

async function receive(read: CappedBody, headers: Headers, context: Context): Promise<WebhookReply> {
  if (read.kind === "too_large") return reject(context, "too_large", { ...NO_BODY, size: read.bytesRead });
  if (read.kind === "timeout" || read.kind === "aborted") {
    return reject(context, read.kind === "timeout" ? "body_timeout" : "aborted", { bytes: read.bytes, size: read.bytes.byteLength, sha256: sha256Hex(read.bytes) });
  }
  const body: BodyFacts = { bytes: read.bytes, size: read.bytes.byteLength, sha256: sha256Hex(read.bytes) };

  const { candidates, isComplete } = await loadSignatureCandidates();
  const signature = verifyWebhookSignature(read.bytes, headers.get("x-webhook-signature"), candidates);
  if (signature.kind === "missing") return reject(context, "missing_signature", body);
  if (signature.kind === "malformed") return reject(context, "malformed_signature", body);
  if (signature.kind === "mismatch") {
    // Without the stored secrets a mismatch proves nothing: let RxScale retry rather than refuse.
    if (!isComplete) return storageUnavailable();
    return reject(context, "bad_signature", body);
  }
  const matchedSecretId = signature.secretId;
  noteSigningSecretMatched(matchedSecretId, context.receivedAt);

  const reading = readSignedBody(read.bytes, headers);
  if (reading.kind === "quarantine") return quarantine(context, body, matchedSecretId, reading);
  const { json, envelope } = reading;
  context.eventType = envelope.event_type;
  const isKnownType = await isKnownEventType(envelope.event_type);
  const flags: DeliveryFlag[] = [];
  if (!isKnownType) flags.push("unknown_event_type");
  if (!isKnownPayloadVersion(envelope.payload_version)) flags.push("unknown_payload_version");
  if (context.metadata.eventTypeHeader !== null && headers.get("x-webhook-event") !== envelope.event_type) flags.push("event_type_header_mismatch");
  flags.push(...reading.readings);

  const patientKey = patientKeyOf(patientUidOf(json));
  const write = deliveryWrite(context, body, {
    rejection: null,
    flags,
    matchedSecretId,
    event: eventWriteOf(reading, body.sha256, context.receivedAt, isKnownType),
  }, patientKey);
  try {
    const stored = await recordDelivery(write, context.startedAt);
    if (stored.outcome === "rejected" || stored.outcome === "quarantined" || stored.eventId === null) throw new Error("an event-carrying delivery was stored without its event");
    if (stored.flags.length > 0) log("info", "webhook delivery flagged", { deliveryId: write.id, eventId: stored.eventId, flags: stored.flags.join(",") });
    return { status: 200, body: { status: stored.outcome, event_id: stored.eventId } };
  } catch (error) {
    log("error", "could not store a webhook delivery; answered 503 so RxScale retries", { deliveryId: write.id, ...errorFields(error) });
    return storageUnavailable();
  }
}
