import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, db, Prisma } from "@/server/core/db";
import { commitDeliveries, type EventWrite } from "@/server/repositories/deliveries";
import { openDeliveryBody } from "@/server/repositories/delivery-bodies";
import { deliveryWrite } from "../support/factories";
import { testProvider } from "../support/test-database";

/*
 * The ingest group commit writes through the database driver, not Prisma
 * (server/repositories/deliveries-driver.ts); everything else reads those rows
 * through Prisma. These cases write batches on the driver path and read them
 * back through Prisma, field by field, and compare the stored form of each
 * DateTime with what Prisma itself writes for the same instant.
 */

const client = createDb(process.env.DATABASE_URL ?? "");

afterAll(async () => {
  await client.$disconnect();
});

function eventWrite(overrides: Partial<EventWrite> = {}): EventWrite {
  return {
    id: randomUUID(),
    eventType: "order.created",
    eventTimestamp: 1_764_950_400_123n + BigInt(Math.floor(Math.random() * 1_000_000)),
    payloadVersion: "2024-01",
    dataUid: `ord_${randomBytes(6).toString("hex")}`,
    bodySha256: randomBytes(32).toString("hex"),
    isKnownType: true,
    searchKeys: { orderUid: "ord_1", pharmacyOrderUid: null, shopOrderName: "#1001", patientKey: "pk_hash", pharmacyUid: null, status: "created" },
    ...overrides,
  };
}


/** A DateTime column as the database holds it (text on SQLite, the timestamp's text form on PostgreSQL). */
async function storedText(table: "delivery" | "webhook_event", column: string, id: string): Promise<string> {
  const rows = await client.$queryRaw<{ value: string }[]>(Prisma.sql`SELECT CAST(${Prisma.raw(`"${column}"`)} AS TEXT) AS "value" FROM ${Prisma.raw(`"${table}"`)} WHERE "id" = ${id}`);
  const value = rows[0]?.value;
  if (value === undefined) throw new Error(`no ${table} row ${id}`);
  return value;
}

describe(`the driver write path on ${testProvider()}`, () => {
  it("stores every delivery field as Prisma reads it back, dates in the form Prisma writes them", async () => {
    const event = eventWrite();
    const accepted = deliveryWrite({ event, bodySha256: event.bodySha256, patientKey: "pk_delivery", flags: ["unknown_payload_version"] });
    const rejected = deliveryWrite({ rejection: { reasonCode: "bad_signature", httpStatus: 401 }, body: null, bodySize: 0, sourceAddress: null, eventTypeHeader: null, matchedSecretId: null });
    const quarantined = deliveryWrite({ quarantine: { reasonCode: "unreadable_envelope", detail: "timestamp: must be an integer" } });

    const stored = await commitDeliveries([accepted, rejected, quarantined], []);
    expect(stored.map((result) => result.outcome)).toEqual(["accepted", "rejected", "quarantined"]);

    const rows = await client.delivery.findMany({ where: { id: { in: [accepted.id, rejected.id, quarantined.id] } } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(accepted.id)).toMatchObject({
      receivedAt: accepted.receivedAt,
      outcome: "accepted",
      reasonCode: "unknown_payload_version",
      reasonDetail: null,
      flags: "unknown_payload_version",
      httpStatus: 200,
      bodySha256: accepted.bodySha256,
      bodySize: 17,
      bodyPurgedAt: null,
      bodyPurgeReason: null,
      patientKey: "pk_delivery",
      headers: accepted.headers,
      sourceAddress: "203.0.113.9",
      eventTypeHeader: "order.created",
      matchedSecretId: "env:1",
      ackMs: null,
      eventId: event.id,
    });
    expect(byId.get(rejected.id)).toMatchObject({ outcome: "rejected", reasonCode: "bad_signature", httpStatus: 401, body: null, bodyKeyId: null, sourceAddress: null, eventTypeHeader: null, matchedSecretId: null, eventId: null });
    expect(byId.get(quarantined.id)).toMatchObject({ outcome: "quarantined", reasonCode: "unreadable_envelope", reasonDetail: "timestamp: must be an integer", eventId: null });

    const acceptedRow = byId.get(accepted.id);
    if (!acceptedRow) throw new Error("accepted delivery missing");
    expect(acceptedRow.body).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(openDeliveryBody(acceptedRow) ?? new Uint8Array()).toString("utf8")).toBe('{"event":"test"}\n');

    const storedEvent = await client.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(storedEvent).toMatchObject({
      eventType: "order.created",
      eventTimestamp: event.eventTimestamp,
      payloadVersion: "2024-01",
      dataUid: event.dataUid,
      bodySha256: event.bodySha256,
      isKeyCollision: false,
      isKnownType: true,
      duplicateCount: 0,
      status: "pending",
      attempts: 0,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastError: null,
      processedAt: null,
      orderUid: "ord_1",
      pharmacyOrderUid: null,
      shopOrderName: "#1001",
      patientKey: "pk_hash",
      pharmacyUid: null,
      dataStatus: "created",
    });
    expect(storedEvent.lastReceivedAt).toEqual(storedEvent.firstReceivedAt);
    expect(storedEvent.nextAttemptAt).toEqual(storedEvent.firstReceivedAt);
    expect(Math.abs(storedEvent.firstReceivedAt.getTime() - Date.now())).toBeLessThan(60_000);

    // The same instants written by Prisma must be stored identically (SQLite compares and orders DateTimes as text).
    const reference = await client.delivery.create({
      data: { id: randomUUID(), receivedAt: accepted.receivedAt, outcome: "rejected", httpStatus: 401, bodySha256: "x", bodySize: 0, headers: "{}" },
    });
    expect(await storedText("delivery", "received_at", accepted.id)).toBe(await storedText("delivery", "received_at", reference.id));
    const { id, eventType, eventTimestamp, payloadVersion, dataUid, bodySha256 } = eventWrite();
    const at = storedEvent.firstReceivedAt;
    const referenceEvent = await client.webhookEvent.create({
      data: { id, eventType, eventTimestamp, payloadVersion, dataUid, bodySha256, firstReceivedAt: at, lastReceivedAt: at, nextAttemptAt: at },
    });
    for (const column of ["first_received_at", "last_received_at", "next_attempt_at"]) {
      expect(await storedText("webhook_event", column, event.id)).toBe(await storedText("webhook_event", column, referenceEvent.id));
    }
  });

  it("records acknowledgement times that ride along with a later batch", async () => {
    const first = deliveryWrite();
    await commitDeliveries([first], []);
    await commitDeliveries([deliveryWrite()], [{ deliveryId: first.id, ackMs: 12.34 }]);
    expect((await client.delivery.findUniqueOrThrow({ where: { id: first.id } })).ackMs).toBe(12.34);
  });

  it("creates one event for a delivery repeated in a batch and counts repeats across batches", async () => {
    const event = eventWrite();
    const first = deliveryWrite({ event, bodySha256: event.bodySha256 });
    const repeat = deliveryWrite({ event: { ...event, id: randomUUID() }, bodySha256: event.bodySha256 });
    const results = await commitDeliveries([first, repeat], []);
    expect(results.map(({ outcome, eventId, isNewEvent }) => ({ outcome, eventId, isNewEvent }))).toEqual([
      { outcome: "accepted", eventId: event.id, isNewEvent: true },
      { outcome: "duplicate", eventId: event.id, isNewEvent: false },
    ]);
    expect((await client.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).duplicateCount).toBe(1);

    const later = deliveryWrite({ event: { ...event, id: randomUUID() }, bodySha256: event.bodySha256, receivedAt: new Date("2026-12-05T10:11:13.000Z") });
    const [laterResult] = await commitDeliveries([later], []);
    expect(laterResult).toMatchObject({ outcome: "duplicate", eventId: event.id, isNewEvent: false });
    const stored = await client.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(stored.duplicateCount).toBe(2);
    expect(await client.webhookEvent.count({ where: { eventType: event.eventType, eventTimestamp: event.eventTimestamp, dataUid: event.dataUid } })).toBe(1);
    expect(await client.delivery.count({ where: { eventId: event.id } })).toBe(3);
  });

  it("flags a second body under the same dedup key, in the batch and in a later one", async () => {
    // The second body sorts before the first, as the batch orders its events by key: only the second may be flagged.
    const event = eventWrite({ bodySha256: "b".repeat(64) });
    const other = { ...event, id: randomUUID(), bodySha256: "a".repeat(64) };
    const results = await commitDeliveries([deliveryWrite({ event }), deliveryWrite({ event: other })], []);
    expect(results.map((result) => result.flags.includes("key_collision"))).toEqual([false, true]);
    const flagged = results.filter((result) => result.flags.includes("key_collision"));
    expect(flagged).toHaveLength(1);
    const third = { ...event, id: randomUUID(), bodySha256: randomBytes(32).toString("hex") };
    const [later] = await commitDeliveries([deliveryWrite({ event: third })], []);
    expect(later).toMatchObject({ outcome: "accepted", isNewEvent: true, flags: ["key_collision"] });
    expect((await client.webhookEvent.findUniqueOrThrow({ where: { id: third.id } })).isKeyCollision).toBe(true);
  });

  it("commits nothing of a batch in which one row fails", async () => {
    const event = eventWrite();
    const good = deliveryWrite({ event, bodySha256: event.bodySha256 });
    const existing = deliveryWrite();
    await commitDeliveries([existing], []);
    await expect(commitDeliveries([good, deliveryWrite({ id: existing.id })], [])).rejects.toThrow();
    expect(await client.delivery.findUnique({ where: { id: good.id } })).toBeNull();
    expect(await client.webhookEvent.findUnique({ where: { id: event.id } })).toBeNull();
    // The connection is usable afterwards.
    expect((await commitDeliveries([good], []))[0]?.outcome).toBe("accepted");
  });

  it("keeps a batch out of a Prisma transaction running on the shared client, which may roll back alone", async () => {
    const shared = await db();
    const delivery = deliveryWrite();
    const markerId = randomUUID();
    let commit: Promise<unknown> = Promise.resolve();
    await expect(
      shared.$transaction(async (tx) => {
        await tx.delivery.create({ data: { id: markerId, receivedAt: new Date(), outcome: "rejected", httpStatus: 401, bodySha256: "x", bodySize: 0, headers: "{}" } });
        commit = commitDeliveries([delivery], []);
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    await commit;
    expect(await client.delivery.findUnique({ where: { id: markerId } })).toBeNull();
    expect(await client.delivery.findUnique({ where: { id: delivery.id } })).not.toBeNull();
  });
});
