import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/rxscale/route";
import { createDb } from "@/server/core/db";
import { openDeliveryBody, type StoredBody } from "@/server/repositories/delivery-bodies";
import { addSigningSecret, retireSigningSecret } from "@/server/signing-secrets/signing-secrets";
import { onNewEvents } from "@/server/processing/inbox-signal";
import { updateSettings } from "@/server/settings/settings";
import { z } from "zod";
import {
  PATIENT_NAME,
  envelope,
  envelopeBody,
  newOrderUid,
  orderData,
  readWebhookResponse,
  sign,
  streamedWebhookRequest,
  webhookRequest,
  type WebhookRequestOptions,
} from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * The webhook endpoint end to end: the real route handler against a real,
 * freshly migrated database of this project's provider. Every case checks the
 * answer and the Delivery row the request left behind.
 */

const SECRETS = vi.hoisted(() => {
  const secrets = { current: "whsec_current_secret_0001", previous: "whsec_previous_secret_0002" };
  process.env.RXSCALE_SIGNING_SECRETS = `${secrets.current},${secrets.previous}`;
  process.env.RXWATCH_WEBHOOK_MAX_BODY_BYTES = String(1024 * 1024);
  // Requests sent together must share a batch for the same-moment collision case: on PostgreSQL two
  // batches can be in flight, and concurrent transactions cannot see each other's new rows.
  process.env.RXWATCH_INGEST_BATCH_WINDOW_MS = "20";
  // Each case checks the record one request leaves; the rejected-request budget has its own cases (rejected-budget.test.ts).
  process.env.RXWATCH_REJECTED_REQUESTS_PER_MINUTE = "100000";
  process.env.RXWATCH_REJECTED_BYTES_PER_MINUTE = String(1024 * 1024 * 1024);
  return secrets;
});

const MAX_BODY_BYTES = 1024 * 1024;
const recordedHeadersSchema = z.record(z.string(), z.string());
const client = createDb(process.env.DATABASE_URL ?? "");

afterAll(async () => {
  await client.$disconnect();
});

/** Sends one request through the real handler and returns the answer and the Delivery row it left (found by a unique User-Agent). */
async function deliver(body: string | Uint8Array, options: WebhookRequestOptions = {}) {
  const marker = `rxwatch-test/${randomUUID()}`;
  const request = webhookRequest(body, { ...options, headers: { "user-agent": marker, ...options.headers } });
  return deliverRequest(request, marker);
}

async function deliverRequest(request: Request, marker: string) {
  const result = await readWebhookResponse(await POST(request));
  const delivery = await client.delivery.findFirst({ where: { headers: { contains: marker } } });
  if (!delivery) throw new Error(`no delivery recorded for ${marker}`);
  return { result, delivery };
}

/** The body a delivery row keeps, opened as every reader opens it; asserts that what is on disk is sealed, not the body. */
function storedBody(delivery: StoredBody): Buffer | null {
  const plaintext = openDeliveryBody(delivery);
  if (plaintext === null) {
    expect(delivery.bodyKeyId).toBeNull();
    return null;
  }
  expect(delivery.bodyKeyId).toMatch(/^hkdf-[0-9a-f]{16}$/);
  expect(Buffer.from(delivery.body ?? new Uint8Array()).equals(Buffer.from(plaintext))).toBe(false);
  return Buffer.from(plaintext);
}

function bodyText(delivery: StoredBody): string | null {
  return storedBody(delivery)?.toString("utf8") ?? null;
}

/** A valid envelope serialised to exactly `size` bytes (padding inside data). */
function bodyOfSize(size: number): string {
  const base = envelopeBody({ data: { uid: `po-${randomUUID()}`, padding: "" } });
  return base.replace('"padding":""', `"padding":"${"x".repeat(size - Buffer.byteLength(base))}"`);
}

describe(`POST /api/webhooks/rxscale on ${testProvider()}`, () => {
  it("accepts a validly signed event and stores the delivery and a pending event before answering", async () => {
    const uid = newOrderUid();
    const body = envelopeBody({ data: orderData(uid) });
    const { result, delivery } = await deliver(body, { secret: SECRETS.current, headers: { "x-webhook-event": "pharmacy_order_updated", cookie: "rxwatch.session=abc", authorization: "Bearer nope" } });

    expect(result.status).toBe(200);
    expect(result.json).toEqual({ status: "accepted", event_id: expect.any(String) });
    const event = await client.webhookEvent.findUnique({ where: { id: String(result.json.event_id) } });
    expect(event).toMatchObject({ eventType: "pharmacy_order_updated", eventTimestamp: 1_735_725_600n, payloadVersion: "1", dataUid: uid, status: "pending", duplicateCount: 0, isKeyCollision: false, isKnownType: true, attempts: 0 });
    expect(Math.abs((event?.nextAttemptAt.getTime() ?? 0) - Date.now())).toBeLessThan(10_000);

    expect(delivery).toMatchObject({ outcome: "accepted", httpStatus: 200, reasonCode: null, flags: "", matchedSecretId: "env:1", eventId: event?.id, bodySize: Buffer.byteLength(body), bodySha256: event?.bodySha256, sourceAddress: "203.0.113.7", eventTypeHeader: "pharmacy_order_updated" });
    expect(bodyText(delivery)).toBe(body);
    const headers = recordedHeadersSchema.parse(JSON.parse(delivery.headers));
    expect(headers["x-webhook-signature"]).toBe(sign(body, SECRETS.current));
    expect(headers["content-type"]).toBe("application/json");
    expect(headers).not.toHaveProperty("cookie");
    expect(headers).not.toHaveProperty("authorization");
  });

  it("records how long the acknowledgement took, shortly after answering", async () => {
    const { delivery } = await deliver(envelopeBody(), { secret: SECRETS.current });
    await vi.waitFor(
      async () => {
        const row = await client.delivery.findUnique({ where: { id: delivery.id } });
        expect(row?.ackMs).toBeGreaterThan(0);
      },
      { timeout: 5_000, interval: 100 },
    );
  });

  describe("refuses bad signatures with 401 and records them, body included", () => {
    const body = envelopeBody();
    const cases: [string, WebhookRequestOptions, string][] = [
      ["no signature header", { signature: null }, "missing_signature"],
      ["a signature made with another secret", { secret: "whsec_someone_else_9999" }, "bad_signature"],
      ["a signature over a different body", { signature: sign(envelopeBody(), SECRETS.current) }, "bad_signature"],
      ["a truncated signature", { signature: sign(body, SECRETS.current).slice(0, 63) }, "malformed_signature"],
      ["a signature one byte too long", { signature: `${sign(body, SECRETS.current)}00` }, "malformed_signature"],
      ["a non-hex signature", { signature: "z".repeat(64) }, "malformed_signature"],
      ["an empty signature", { signature: "" }, "malformed_signature"],
      ["a sha256= prefixed signature", { signature: `sha256=${sign(body, SECRETS.current)}` }, "malformed_signature"],
    ];
    it.each(cases)("%s", async (_name, options, code) => {
      const { result, delivery } = await deliver(body, options);
      expect(result.status).toBe(401);
      expect(result.errorCode).toBe(code);
      expect(result.text).not.toContain(PATIENT_NAME);
      expect(delivery).toMatchObject({ outcome: "rejected", reasonCode: code, httpStatus: 401, matchedSecretId: null, eventId: null, bodySize: Buffer.byteLength(body) });
      expect(bodyText(delivery)).toBe(body);
    });
  });

  it("accepts an upper-case hex signature", async () => {
    const body = envelopeBody();
    const { result, delivery } = await deliver(body, { signature: sign(body, SECRETS.current).toUpperCase() });
    expect(result.status).toBe(200);
    expect(delivery).toMatchObject({ outcome: "accepted", matchedSecretId: "env:1" });
  });

  describe("quarantines signed bodies that are not JSON: 200, stored sealed, reason invalid_json", () => {
    const cases: [string, string | Uint8Array][] = [
      ["an empty body", ""],
      ["truncated JSON", '{"event_type":"pharmacy_order_updated",'],
      ["text", "hello"],
      ["bytes that are not UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ];
    it.each(cases)("%s", async (_name, body) => {
      const { result, delivery } = await deliver(body, { secret: SECRETS.current });
      expect(result.status).toBe(200);
      expect(result.json).toEqual({ status: "quarantined", delivery_id: delivery.id });
      expect(delivery).toMatchObject({ outcome: "quarantined", reasonCode: "invalid_json", reasonDetail: "(body): must be UTF-8 JSON", httpStatus: 200, matchedSecretId: "env:1", eventId: null, bodySize: typeof body === "string" ? Buffer.byteLength(body) : body.byteLength });
      expect(storedBody(delivery)).toEqual(Buffer.from(body));
    });
  });

  describe("quarantines signed JSON that is not an envelope it can read: 200, naming field and rule, never the value", () => {
    const without = (field: string) => {
      const value = envelope();
      delete value[field];
      return JSON.stringify(value);
    };
    const cases: [string, string, string][] = [
      ["an array", "[]", "(body)"],
      ["a string", '"pharmacy_order_updated"', "(body)"],
      ["null", "null", "(body)"],
      ["a number", "42", "(body)"],
      ["no event_type", without("event_type"), "event_type"],
      ["no timestamp", without("timestamp"), "timestamp"],
      ["no data", without("data"), "data"],
      ["a numeric event_type", envelopeBody({ event_type: 42 }), "event_type"],
      ["an empty event_type", envelopeBody({ event_type: "" }), "event_type"],
      ["a timestamp as a word", envelopeBody({ timestamp: "yesterday" }), "timestamp"],
      ["a fractional timestamp", envelopeBody({ timestamp: 1735725600.5 }), "timestamp"],
      ["a negative timestamp", envelopeBody({ timestamp: -1 }), "timestamp"],
      ["a timestamp beyond 2^53", '{"event_type":"pharmacy_order_updated","timestamp":1e300,"payload_version":"1","data":{}}', "timestamp"],
      ["data as an array", envelopeBody({ data: [] }), "data"],
      ["data as null", envelopeBody({ data: null }), "data"],
      ["data as a string", envelopeBody({ data: PATIENT_NAME }), "data"],
      ["an absurdly long data.uid", envelopeBody({ data: { uid: "u".repeat(300) } }), "data.uid"],
    ];
    it.each(cases)("%s", async (_name, body, field) => {
      const { result, delivery } = await deliver(body, { secret: SECRETS.current });
      expect(result.status).toBe(200);
      expect(result.json).toEqual({ status: "quarantined", delivery_id: delivery.id });
      expect(result.text).not.toContain(PATIENT_NAME);
      expect(delivery).toMatchObject({ outcome: "quarantined", reasonCode: "invalid_envelope", httpStatus: 200, matchedSecretId: "env:1", eventId: null });
      expect(delivery.reasonDetail?.startsWith(`${field}: `)).toBe(true);
      expect(delivery.reasonDetail).not.toContain(PATIENT_NAME);
      expect(bodyText(delivery)).toBe(body);
    });
  });

  describe("reads ambiguous envelope fields leniently, accepts and flags the delivery", () => {
    const withoutVersion = () => {
      const value = envelope();
      delete value.payload_version;
      return JSON.stringify(value);
    };
    const cases: [string, () => string, string, { payloadVersion: string; eventTimestamp: bigint }][] = [
      ["a numeric payload_version", () => envelopeBody({ payload_version: 1, data: orderData(newOrderUid()) }), "payload_version_as_number", { payloadVersion: "1", eventTimestamp: 1_735_725_600n }],
      ["a digit-string timestamp", () => envelopeBody({ timestamp: "1735725600", data: orderData(newOrderUid()) }), "timestamp_as_string", { payloadVersion: "1", eventTimestamp: 1_735_725_600n }],
      ["no payload_version", withoutVersion, "payload_version_missing", { payloadVersion: "1", eventTimestamp: 1_735_725_600n }],
    ];
    it.each(cases)("%s", async (_name, body, flag, event) => {
      const { result, delivery } = await deliver(body(), { secret: SECRETS.current });
      expect(result.status).toBe(200);
      expect(result.json.status).toBe("accepted");
      expect(delivery).toMatchObject({ outcome: "accepted", flags: flag, reasonCode: flag, httpStatus: 200 });
      expect(await client.webhookEvent.findUnique({ where: { id: String(result.json.event_id) } })).toMatchObject({ ...event, status: "pending" });
    });
  });

  it("stores, acknowledges and flags an unknown event type", async () => {
    const { result, delivery } = await deliver(envelopeBody({ event_type: "pharmacy_invoice_created" }), { secret: SECRETS.current });
    expect(result.status).toBe(200);
    expect(result.json.status).toBe("accepted");
    expect(delivery).toMatchObject({ outcome: "accepted", flags: "unknown_event_type", reasonCode: "unknown_event_type" });
    const event = await client.webhookEvent.findUnique({ where: { id: String(result.json.event_id) } });
    expect(event).toMatchObject({ eventType: "pharmacy_invoice_created", isKnownType: false, status: "pending" });
  });

  it("knows the order and prescription event names configured under Settings", async () => {
    const byDefault = await deliver(envelopeBody({ event_type: "prescription_signed" }), { secret: SECRETS.current });
    expect(byDefault.delivery).toMatchObject({ outcome: "accepted", flags: "" });

    await updateSettings("eventNames", { orderCreated: "shop_order_created" }, null);
    const renamed = await deliver(envelopeBody({ event_type: "shop_order_created" }), { secret: SECRETS.current });
    expect(renamed.delivery).toMatchObject({ outcome: "accepted", flags: "" });
    const event = await client.webhookEvent.findUnique({ where: { id: String(renamed.result.json.event_id) } });
    expect(event?.isKnownType).toBe(true);
  });

  it("stores, acknowledges and flags an unknown payload version", async () => {
    const { result, delivery } = await deliver(envelopeBody({ payload_version: "2" }), { secret: SECRETS.current });
    expect(result.status).toBe(200);
    expect(delivery).toMatchObject({ outcome: "accepted", flags: "unknown_payload_version" });
    const event = await client.webhookEvent.findUnique({ where: { id: String(result.json.event_id) } });
    expect(event).toMatchObject({ payloadVersion: "2", isKnownType: true });
  });

  it("flags, but accepts, an X-Webhook-Event header that contradicts the body", async () => {
    const { result, delivery } = await deliver(envelopeBody({ event_type: "appointment_reminder_due" }), { secret: SECRETS.current, headers: { "x-webhook-event": "pharmacy_order_created" } });
    expect(result.status).toBe(200);
    expect(delivery).toMatchObject({ outcome: "accepted", flags: "event_type_header_mismatch", eventTypeHeader: "pharmacy_order_created" });
  });

  it("dedups an event without data.uid on an empty uid", async () => {
    const body = envelopeBody({ event_type: "pharmacy_sku_stock_updated", data: { stock: 3 } });
    const first = await deliver(body, { secret: SECRETS.current });
    const second = await deliver(body, { secret: SECRETS.current });
    expect(second.result.json).toEqual({ status: "duplicate", event_id: first.result.json.event_id });
    const event = await client.webhookEvent.findUnique({ where: { id: String(first.result.json.event_id) } });
    expect(event).toMatchObject({ dataUid: "", duplicateCount: 1 });
  });

  describe("body size", () => {
    it("accepts a body of exactly the limit", async () => {
      const body = bodyOfSize(MAX_BODY_BYTES);
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
      const { result, delivery } = await deliver(body, { secret: SECRETS.current });
      expect(result.status).toBe(200);
      expect(delivery.bodySize).toBe(MAX_BODY_BYTES);
    });

    it("refuses a body one byte over the limit from its Content-Length with 413, without reading it", async () => {
      const body = bodyOfSize(MAX_BODY_BYTES + 1);
      const { result, delivery } = await deliver(body, { secret: SECRETS.current, headers: { "content-length": String(MAX_BODY_BYTES + 1) } });
      expect(result.status).toBe(413);
      expect(result.errorCode).toBe("too_large");
      expect(delivery).toMatchObject({ outcome: "rejected", reasonCode: "too_large", httpStatus: 413, body: null, bodySize: 0, bodySha256: "", eventId: null });
      expect(recordedHeadersSchema.parse(JSON.parse(delivery.headers))).toMatchObject({ "content-length": String(MAX_BODY_BYTES + 1) });
    });

    it("refuses a streamed body without Content-Length as soon as it passes the limit, reading no further", async () => {
      const marker = `rxwatch-test/${randomUUID()}`;
      const chunk = 16 * 1024;
      const { request, bytesPulled } = streamedWebhookRequest(8 * MAX_BODY_BYTES, chunk, { "user-agent": marker, "x-webhook-signature": "0".repeat(64) });
      const { result, delivery } = await deliverRequest(request, marker);
      expect(result.status).toBe(413);
      expect(result.errorCode).toBe("too_large");
      expect(bytesPulled()).toBeLessThanOrEqual(MAX_BODY_BYTES + 3 * chunk);
      expect(delivery).toMatchObject({ outcome: "rejected", reasonCode: "too_large", httpStatus: 413, body: null });
      expect(delivery.bodySize).toBeGreaterThan(MAX_BODY_BYTES);
    });
  });

  describe("media type and encoding", () => {
    it("quarantines a correctly signed gzip-encoded body: 200, stored as sent", async () => {
      const compressed = new Uint8Array(gzipSync(Buffer.from(envelopeBody())));
      const { result, delivery } = await deliver(compressed, { secret: SECRETS.current, headers: { "content-encoding": "gzip" } });
      expect(result.status).toBe(200);
      expect(result.json.status).toBe("quarantined");
      expect(delivery).toMatchObject({ outcome: "quarantined", reasonCode: "unsupported_content_encoding", reasonDetail: "content-encoding: must be identity", httpStatus: 200, eventId: null });
      expect(storedBody(delivery)).toEqual(Buffer.from(compressed));
    });

    it("accepts Content-Encoding: identity", async () => {
      const { result } = await deliver(envelopeBody(), { secret: SECRETS.current, headers: { "content-encoding": "identity" } });
      expect(result.status).toBe(200);
    });

    const odd: [string, WebhookRequestOptions][] = [
      ["text/plain", { headers: { "content-type": "text/plain" } }],
      ["application/x-www-form-urlencoded", { headers: { "content-type": "application/x-www-form-urlencoded" } }],
      ["a non-UTF-8 charset", { headers: { "content-type": "application/json; charset=iso-8859-1" } }],
      ["no content type", { omitHeaders: ["content-type"] }],
    ];
    it.each(odd)("quarantines a correctly signed body sent as %s: 200, stored", async (_name, options) => {
      const body = envelopeBody();
      const { result, delivery } = await deliver(new TextEncoder().encode(body), { secret: SECRETS.current, ...options });
      expect(result.status).toBe(200);
      expect(result.json.status).toBe("quarantined");
      expect(delivery).toMatchObject({ outcome: "quarantined", reasonCode: "unsupported_media_type", reasonDetail: "content-type: must be application/json (UTF-8)", httpStatus: 200, eventId: null });
      expect(bodyText(delivery)).toBe(body);
    });

    const unsigned: [string, string | Uint8Array, WebhookRequestOptions][] = [
      ["a numeric payload_version", envelopeBody({ payload_version: 1 }), {}],
      ["a digit-string timestamp", envelopeBody({ timestamp: "1735725600" }), {}],
      ["a body that is not JSON", "{not json", {}],
      ["no content type", envelopeBody(), { omitHeaders: ["content-type"] }],
      ["a gzip-encoded body", new Uint8Array(gzipSync(Buffer.from(envelopeBody()))), { headers: { "content-encoding": "gzip" } }],
    ];
    it.each(unsigned)("still refuses %s with 401 when it is unsigned or wrongly signed", async (_name, body, options) => {
      const missing = await deliver(body, { ...options, signature: null });
      expect(missing.result.status).toBe(401);
      expect(missing.delivery).toMatchObject({ outcome: "rejected", reasonCode: "missing_signature", httpStatus: 401, eventId: null });
      const wrong = await deliver(body, { ...options, secret: "whsec_someone_else_9999" });
      expect(wrong.result.status).toBe(401);
      expect(wrong.delivery).toMatchObject({ outcome: "rejected", reasonCode: "bad_signature", eventId: null });
    });

    it.each(["application/json; charset=UTF-8", "Application/JSON", 'application/json;charset="utf-8"'])("accepts %s", async (contentType) => {
      const { result } = await deliver(envelopeBody(), { secret: SECRETS.current, headers: { "content-type": contentType } });
      expect(result.status).toBe(200);
    });
  });

  describe("deduplication", () => {
    it("answers a repeated delivery as a duplicate of the same event and counts it", async () => {
      const body = envelopeBody();
      const first = await deliver(body, { secret: SECRETS.current });
      const second = await deliver(body, { secret: SECRETS.current });
      expect(first.result.json.status).toBe("accepted");
      expect(second.result.json).toEqual({ status: "duplicate", event_id: first.result.json.event_id });
      expect(second.delivery).toMatchObject({ outcome: "duplicate", httpStatus: 200, eventId: first.result.json.event_id, flags: "" });
      const event = await client.webhookEvent.findUnique({ where: { id: String(first.result.json.event_id) } });
      expect(event?.duplicateCount).toBe(1);
      expect(event?.lastReceivedAt.getTime()).toBeGreaterThanOrEqual(event?.firstReceivedAt.getTime() ?? Infinity);
    });

    it("turns 50 concurrent identical deliveries into exactly one event and 49 duplicates, signalling one new event", async () => {
      const uid = newOrderUid();
      const body = envelopeBody({ data: orderData(uid) });
      const signals: number[] = [];
      const unsubscribe = onNewEvents((count) => signals.push(count));
      const results = await Promise.all(Array.from({ length: 50 }, () => POST(webhookRequest(body, { secret: SECRETS.current })).then(readWebhookResponse)));
      unsubscribe();

      expect(results.map((result) => result.status)).toEqual(Array(50).fill(200));
      const eventIds = new Set(results.map((result) => result.json.event_id));
      expect(eventIds.size).toBe(1);
      expect(results.filter((result) => result.json.status === "accepted")).toHaveLength(1);
      expect(results.filter((result) => result.json.status === "duplicate")).toHaveLength(49);
      const events = await client.webhookEvent.findMany({ where: { dataUid: uid } });
      expect(events).toHaveLength(1);
      expect(events[0]?.duplicateCount).toBe(49);
      const deliveries = await client.delivery.groupBy({ by: ["outcome"], where: { eventId: events[0]?.id }, _count: true });
      expect(Object.fromEntries(deliveries.map((row) => [row.outcome, row._count]))).toEqual({ accepted: 1, duplicate: 49 });
      expect(signals.reduce((sum, count) => sum + count, 0)).toBe(1);
    });

    it("keeps the same dedup key with a different body as a distinct event flagged key_collision", async () => {
      const uid = newOrderUid();
      const original = envelope({ data: orderData(uid) });
      const changed = envelope({ data: orderData(uid, "ready_for_pickup") });
      const first = await deliver(JSON.stringify(original), { secret: SECRETS.current });
      const second = await deliver(JSON.stringify(changed), { secret: SECRETS.current });
      expect(second.result.json.status).toBe("accepted");
      expect(second.result.json.event_id).not.toBe(first.result.json.event_id);
      expect(second.delivery).toMatchObject({ outcome: "accepted", flags: "key_collision", reasonCode: "key_collision" });
      const [a, b] = await Promise.all([first, second].map(({ result }) => client.webhookEvent.findUnique({ where: { id: String(result.json.event_id) } })));
      expect(a?.isKeyCollision).toBe(false);
      expect(b?.isKeyCollision).toBe(true);

      const replay = await deliver(JSON.stringify(changed), { secret: SECRETS.current });
      expect(replay.result.json).toEqual({ status: "duplicate", event_id: second.result.json.event_id });
      expect(replay.delivery.flags).toBe("key_collision");
    });

    it("flags a key collision between two bodies that arrive at the same moment", async () => {
      const uid = newOrderUid();
      const original = envelope({ data: orderData(uid) });
      const changed = envelope({ data: orderData(uid, "cancelled") });
      const results = await Promise.all([original, changed].map((value) => POST(webhookRequest(JSON.stringify(value), { secret: SECRETS.current })).then(readWebhookResponse)));
      expect(results.map((result) => result.json.status)).toEqual(["accepted", "accepted"]);
      const events = await client.webhookEvent.findMany({ where: { dataUid: uid } });
      expect(events).toHaveLength(2);
      expect(events.filter((event) => event.isKeyCollision)).toHaveLength(1);
    });
  });

  describe("signing secret rotation", () => {
    it("accepts deliveries signed with either configured secret and records which matched", async () => {
      const current = await deliver(envelopeBody(), { secret: SECRETS.current });
      const previous = await deliver(envelopeBody(), { secret: SECRETS.previous });
      expect([current.result.status, previous.result.status]).toEqual([200, 200]);
      expect(current.delivery.matchedSecretId).toBe("env:1");
      expect(previous.delivery.matchedSecretId).toBe("env:2");
    });

    it("accepts a secret added to the store at once, records its id and when it matched, and refuses it once retired", async () => {
      const secret = `whsec_stored_${randomUUID()}`;
      const stored = await addSigningSecret({ label: "rotation test", secret });
      const accepted = await deliver(envelopeBody(), { secret });
      expect(accepted.result.status).toBe(200);
      expect(accepted.delivery.matchedSecretId).toBe(stored.id);
      expect(accepted.delivery.headers).not.toContain(secret);
      await vi.waitFor(async () => expect((await client.signingSecret.findUnique({ where: { id: stored.id } }))?.lastMatchedAt).not.toBeNull(), { timeout: 5_000, interval: 50 });

      await retireSigningSecret(stored.id);
      const refused = await deliver(envelopeBody(), { secret });
      expect(refused.result.status).toBe(401);
      expect(refused.result.errorCode).toBe("bad_signature");
    });
  });

  it("leaves earlier accepted events untouched whatever bad input follows, and never answers 5xx for it", async () => {
    const body = envelopeBody();
    const accepted = await deliver(body, { secret: SECRETS.current });
    const before = await client.webhookEvent.findUnique({ where: { id: String(accepted.result.json.event_id) } });
    const eventCount = await client.webhookEvent.count();

    const attempts: { body: string | Uint8Array; options: WebhookRequestOptions; answer: "refused" | "quarantined" }[] = [
      { body, options: { signature: null }, answer: "refused" },
      { body, options: { secret: "whsec_intruder" }, answer: "refused" },
      { body, options: { signature: sign(body, SECRETS.current).slice(1) }, answer: "refused" },
      { body: body.replace("in-progress", "completed"), options: { signature: sign(body, SECRETS.current) }, answer: "refused" },
      { body: "{", options: { secret: SECRETS.current }, answer: "quarantined" },
      { body: "[]", options: { secret: SECRETS.current }, answer: "quarantined" },
      { body, options: { secret: SECRETS.current, headers: { "content-type": "text/plain" } }, answer: "quarantined" },
      { body, options: { secret: SECRETS.current, headers: { "content-encoding": "gzip" } }, answer: "quarantined" },
      { body: bodyOfSize(MAX_BODY_BYTES + 1), options: { secret: SECRETS.current }, answer: "refused" },
    ];
    for (const attempt of attempts) {
      const { result } = await deliver(attempt.body, attempt.options);
      if (attempt.answer === "quarantined") {
        expect(result.status).toBe(200);
        expect(result.json.status).toBe("quarantined");
      } else {
        expect(result.status).toBeGreaterThanOrEqual(400);
        expect(result.status).toBeLessThan(500);
      }
    }

    expect(await client.webhookEvent.count()).toBe(eventCount);
    expect(await client.webhookEvent.findUnique({ where: { id: before?.id ?? "" } })).toEqual(before);
  });
});
