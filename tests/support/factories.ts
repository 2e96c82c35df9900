import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Db } from "@/server/core/db";
import type { DeliveryWrite } from "@/server/repositories/deliveries";

/*
 * Test data written straight to the database, shaped as ingest stores it.
 * Add a factory per model here as features need them; keep defaults valid.
 */

/** A fixed instant tests can count from. */
export const FACTORY_EPOCH = new Date("2026-11-28T12:00:00.000Z");

export interface WebhookEventInput {
  type?: string;
  /** Envelope timestamp in Unix seconds; defaults to a unique value so events never collide on the dedup key. */
  timestamp?: number;
  payloadVersion?: string;
  data?: Record<string, unknown>;
  /** Raw body to store instead of the serialised envelope; null stores the delivery without a body. */
  body?: Uint8Array | null;
  status?: string;
  attempts?: number;
  nextAttemptAt?: Date;
  receivedAt?: Date;
  leaseOwner?: string | null;
  leaseExpiresAt?: Date | null;
  lastError?: string | null;
}

export interface CreatedWebhookEvent {
  id: string;
  deliveryId: string;
  body: Uint8Array | null;
}

let sequence = 0;

/** The bytes RxScale would POST for this envelope. */
export function envelopeBody(type: string, timestamp: number, data: Record<string, unknown>, payloadVersion = "1"): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ event_type: type, timestamp, payload_version: payloadVersion, data }));
}

/** Inserts a webhook event and the accepted delivery that carried it, as ingest would after a verified request. */
export async function createWebhookEvent(client: Db, input: WebhookEventInput = {}): Promise<CreatedWebhookEvent> {
  sequence += 1;
  const type = input.type ?? "pharmacy_order_updated";
  const timestamp = input.timestamp ?? Math.floor(FACTORY_EPOCH.getTime() / 1000) + sequence;
  const data = input.data ?? { uid: `po-test-${sequence}`, status: "in-progress" };
  const body = input.body === undefined ? envelopeBody(type, timestamp, data, input.payloadVersion) : input.body;
  const bodySha256 = createHash("sha256").update(body ?? new Uint8Array()).digest("hex");
  const receivedAt = input.receivedAt ?? FACTORY_EPOCH;
  const id = randomUUID();
  const deliveryId = randomUUID();
  await client.webhookEvent.create({
    data: {
      id,
      eventType: type,
      eventTimestamp: BigInt(timestamp),
      payloadVersion: input.payloadVersion ?? "1",
      dataUid: typeof data.uid === "string" ? data.uid : "",
      bodySha256,
      firstReceivedAt: receivedAt,
      lastReceivedAt: receivedAt,
      status: input.status ?? "pending",
      attempts: input.attempts ?? 0,
      nextAttemptAt: input.nextAttemptAt ?? receivedAt,
      leaseOwner: input.leaseOwner ?? null,
      leaseExpiresAt: input.leaseExpiresAt ?? null,
      lastError: input.lastError ?? null,
      deliveries: {
        create: {
          id: deliveryId,
          receivedAt,
          outcome: "accepted",
          httpStatus: 200,
          bodySha256,
          bodySize: body?.byteLength ?? 0,
          body: body === null ? null : Uint8Array.from(body),
          headers: JSON.stringify({ "content-type": "application/json" }),
        },
      },
    },
  });
  return { id, deliveryId, body };
}

/** One delivery as ingest hands it to the group commit: accepted, without an event unless given one. */
export function deliveryWrite(overrides: Partial<DeliveryWrite> = {}): DeliveryWrite {
  return {
    id: randomUUID(),
    receivedAt: new Date("2026-12-05T10:11:12.345Z"),
    rejection: null,
    flags: [],
    bodySha256: randomBytes(32).toString("hex"),
    bodySize: 17,
    body: new TextEncoder().encode('{"event":"test"}\n'),
    patientKey: null,
    headers: '{"content-type":"application/json"}',
    sourceAddress: "203.0.113.9",
    eventTypeHeader: "order.created",
    matchedSecretId: "env:1",
    event: null,
    ...overrides,
  };
}
