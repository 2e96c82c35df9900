import "server-only";
import { z } from "zod";
import type { SearchKeys } from "@/lib/order-facts";
import { Prisma } from "@/server/core/db";
import { currentProvider } from "@/server/core/db";
import { sealDeliveryBody } from "@/server/repositories/delivery-bodies";
import { writeDeliveryBatch, type DeliveryRow, type EventRow, type UpsertedEvent } from "@/server/repositories/deliveries-driver";

/*
 * Writes of the webhook endpoint: one call stores a whole group-commit batch
 * of deliveries (and their events) in one transaction, through
 * deliveries-driver.ts. The SQL is INSERT … ON CONFLICT … RETURNING, which
 * SQLite (≥ 3.35) and PostgreSQL parse alike, so callers never see which
 * provider runs. upsertEventsSql is the same event upsert for Prisma
 * transactions (releasing a quarantined delivery).
 */

/** The event a verified, well-formed delivery carries. `id` is used only if the event turns out to be new. */
export interface EventWrite {
  id: string;
  eventType: string;
  eventTimestamp: bigint;
  payloadVersion: string;
  dataUid: string;
  bodySha256: string;
  isKnownType: boolean;
  /** Identifiers from `data` that the deliveries list and order search look events up by; written only when the event is new. */
  searchKeys: SearchKeys;
}

export interface DeliveryWrite {
  id: string;
  receivedAt: Date;
  /** For rejected deliveries; an event-carrying delivery becomes accepted or duplicate here. */
  rejection: { reasonCode: string; httpStatus: number } | null;
  /** Flags known before storing, in their documented order; `key_collision` is added here when it applies. */
  flags: readonly string[];
  bodySha256: string;
  bodySize: number;
  /** The raw body as received; sealed here, on insert (server/repositories/delivery-bodies.ts). */
  body: Uint8Array | null;
  /** Keyed hash of the patient uid the body mentions, if any (also for rejected deliveries), so erasure finds it. */
  patientKey: string | null;
  headers: string;
  sourceAddress: string | null;
  eventTypeHeader: string | null;
  matchedSecretId: string | null;
  event: EventWrite | null;
  /** A correctly signed delivery RxWatch could not read: stored as `quarantined`, without an event (server/ingest/quarantine.ts). */
  quarantine?: { reasonCode: string; detail: string };
}

export interface StoredDelivery {
  outcome: "accepted" | "duplicate" | "rejected" | "quarantined";
  eventId: string | null;
  /** True when this delivery created its event (at most one delivery per event ever is). */
  isNewEvent: boolean;
  flags: string[];
}

export interface AckTime {
  deliveryId: string;
  ackMs: number;
}

/**
 * How many delivery batches may be committing at once. SQLite has one
 * connection (a second transaction would only queue behind the first);
 * PostgreSQL runs two side by side, so a batch can fill while the previous
 * one waits for its commit instead of leaving the event loop idle.
 */
export function deliveryCommitConcurrency(): number {
  return currentProvider() === "sqlite" ? 1 : 2;
}

/** The flag a delivery gets when its event shares RxScale's dedup key with a different body. */
const KEY_COLLISION_FLAG = "key_collision";

export const upsertedEventSchema = z.object({
  id: z.string(),
  event_type: z.string(),
  event_timestamp: z.union([z.bigint(), z.number(), z.string()]).transform(String),
  data_uid: z.string(),
  body_sha256: z.string(),
  is_key_collision: z.union([z.boolean(), z.number(), z.bigint()]).transform((value) => Boolean(value)),
});

function eventKey(event: { eventType: string; eventTimestamp: bigint | string; dataUid: string; bodySha256: string }): string {
  return JSON.stringify([event.eventType, String(event.eventTimestamp), event.dataUid, event.bodySha256]);
}

function dedupKey(event: EventWrite): string {
  return JSON.stringify([event.eventType, String(event.eventTimestamp), event.dataUid]);
}

export interface EventGroup {
  event: EventWrite;
  /** Deliveries of this exact event in the batch; the first is the one that may create it. */
  deliveryIds: string[];
  isCollisionInBatch: boolean;
}

/** One row per distinct event in the batch, sorted by key so concurrent PostgreSQL writers lock rows in the same order. */
function groupEvents(deliveries: readonly DeliveryWrite[]): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  const firstBodyOfKey = new Map<string, string>();
  for (const delivery of deliveries) {
    const event = delivery.event;
    if (!event) continue;
    const key = eventKey(event);
    const group = groups.get(key);
    if (group) {
      group.deliveryIds.push(delivery.id);
      continue;
    }
    const firstBody = firstBodyOfKey.get(dedupKey(event));
    if (firstBody === undefined) firstBodyOfKey.set(dedupKey(event), event.bodySha256);
    groups.set(key, { event, deliveryIds: [delivery.id], isCollisionInBatch: firstBody !== undefined && firstBody !== event.bodySha256 });
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}

/**
 * Inserts each distinct event or, when its (event_type, timestamp, data_uid,
 * body_sha256) row exists, counts the deliveries as duplicates of it — one
 * atomic statement, decided by the unique index, so concurrent identical
 * deliveries (in this batch, another batch or another instance) never create
 * two events. A new event whose dedup key already has another body is marked
 * `is_key_collision`.
 */
export function upsertEventsSql(groups: readonly EventGroup[], now: Date): Prisma.Sql {
  const rows = groups.map(({ event, deliveryIds, isCollisionInBatch }) => {
    const timestamp = event.eventTimestamp;
    const keys = event.searchKeys;
    return Prisma.sql`(${event.id}, ${event.eventType}, ${timestamp}, ${event.payloadVersion}, ${event.dataUid}, ${event.bodySha256},
      ${isCollisionInBatch} OR EXISTS (SELECT 1 FROM "webhook_event" AS "other" WHERE "other"."event_type" = ${event.eventType} AND "other"."event_timestamp" = ${timestamp} AND "other"."data_uid" = ${event.dataUid} AND "other"."body_sha256" <> ${event.bodySha256}),
      ${event.isKnownType}, ${now}, ${now}, ${deliveryIds.length - 1}, 'pending', 0, ${now},
      ${keys.orderUid}, ${keys.pharmacyOrderUid}, ${keys.shopOrderName}, ${keys.patientKey}, ${keys.pharmacyUid}, ${keys.status})`;
  });
  return Prisma.sql`INSERT INTO "webhook_event"
      ("id", "event_type", "event_timestamp", "payload_version", "data_uid", "body_sha256", "is_key_collision", "is_known_type",
       "first_received_at", "last_received_at", "duplicate_count", "status", "attempts", "next_attempt_at",
       "order_uid", "pharmacy_order_uid", "shop_order_name", "patient_key", "pharmacy_uid", "data_status")
    VALUES ${Prisma.join(rows)}
    ON CONFLICT ("event_type", "event_timestamp", "data_uid", "body_sha256") DO UPDATE SET
      "duplicate_count" = "webhook_event"."duplicate_count" + "excluded"."duplicate_count" + 1,
      "last_received_at" = "excluded"."last_received_at"
    RETURNING "id", "event_type", "event_timestamp", "data_uid", "body_sha256", "is_key_collision"`;
}

type SealedBodies = ReturnType<typeof sealDeliveryBody>[];

function eventRow({ event, deliveryIds, isCollisionInBatch }: EventGroup): EventRow {
  const keys = event.searchKeys;
  return {
    id: event.id,
    eventType: event.eventType,
    eventTimestamp: event.eventTimestamp,
    payloadVersion: event.payloadVersion,
    dataUid: event.dataUid,
    bodySha256: event.bodySha256,
    isCollisionInBatch,
    isKnownType: event.isKnownType,
    duplicateCount: deliveryIds.length - 1,
    orderUid: keys.orderUid,
    pharmacyOrderUid: keys.pharmacyOrderUid,
    shopOrderName: keys.shopOrderName,
    patientKey: keys.patientKey,
    pharmacyUid: keys.pharmacyUid,
    dataStatus: keys.status,
  };
}

function deliveryRow(delivery: DeliveryWrite, sealed: SealedBodies[number], result: StoredDelivery): DeliveryRow {
  return {
    id: delivery.id,
    receivedAt: delivery.receivedAt,
    outcome: result.outcome,
    reasonCode: delivery.rejection?.reasonCode ?? delivery.quarantine?.reasonCode ?? result.flags[0] ?? null,
    reasonDetail: delivery.quarantine?.detail ?? null,
    flags: result.flags.join(","),
    httpStatus: delivery.rejection?.httpStatus ?? 200,
    bodySha256: delivery.bodySha256,
    bodySize: delivery.bodySize,
    body: sealed.body,
    bodyKeyId: sealed.bodyKeyId,
    patientKey: delivery.patientKey,
    headers: delivery.headers,
    sourceAddress: delivery.sourceAddress,
    eventTypeHeader: delivery.eventTypeHeader,
    matchedSecretId: delivery.matchedSecretId,
    eventId: result.eventId,
  };
}

/** What became of each delivery, given the events the upsert returned: the first delivery of a newly inserted event created it. */
function resolveDeliveries(deliveries: readonly DeliveryWrite[], groups: readonly EventGroup[], upserted: readonly UpsertedEvent[]): StoredDelivery[] {
  const byKey = new Map(upserted.map((row) => [eventKey(row), row]));
  const creators = new Map(groups.map((group) => [eventKey(group.event), { candidateId: group.event.id, firstDeliveryId: group.deliveryIds[0] }]));
  return deliveries.map((delivery): StoredDelivery => {
    if (!delivery.event) return { outcome: delivery.quarantine ? "quarantined" : "rejected", eventId: null, isNewEvent: false, flags: [...delivery.flags] };
    const key = eventKey(delivery.event);
    const row = byKey.get(key);
    if (!row) throw new Error("event upsert returned no row for a delivery's event");
    const creator = creators.get(key);
    const isNewEvent = row.id === creator?.candidateId && delivery.id === creator.firstDeliveryId;
    const flags = row.isKeyCollision ? [KEY_COLLISION_FLAG, ...delivery.flags] : [...delivery.flags];
    return { outcome: isNewEvent ? "accepted" : "duplicate", eventId: row.id, isNewEvent, flags };
  });
}

/**
 * Stores a batch of deliveries and their events in one transaction and
 * returns, per delivery and in order, what became of it. `ackTimes` of
 * earlier deliveries ride along in the same transaction (an acknowledgement
 * time is known only after its own commit). Either everything is committed or
 * nothing is. Runs on the driver, not Prisma (server/repositories/deliveries-driver.ts).
 */
export async function commitDeliveries(deliveries: readonly DeliveryWrite[], ackTimes: readonly AckTime[] = []): Promise<StoredDelivery[]> {
  const groups = groupEvents(deliveries);
  // Sealed before the transaction opens, so encryption never lengthens the time the batch holds the database.
  const sealedBodies = deliveries.map((delivery) => sealDeliveryBody(delivery.id, delivery.body));
  return writeDeliveryBatch({
    now: new Date(),
    events: groups.map(eventRow),
    deliveries: (upserted) => {
      const stored = resolveDeliveries(deliveries, groups, upserted);
      const rows = deliveries.map((delivery, index) => deliveryRow(delivery, sealedBodies[index] ?? { body: null, bodyKeyId: null }, stored[index] ?? { outcome: "rejected", eventId: null, isNewEvent: false, flags: [...delivery.flags] }));
      return { rows, result: stored };
    },
    ackTimes,
  });
}
