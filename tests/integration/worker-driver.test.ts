import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, Prisma } from "@/server/core/db";
import { createInboxRepository, INTERRUPTED_ATTEMPT_ERROR } from "@/server/repositories/inbox";
import { countFactsOfOrders, listFactsOfOrders, upsertOrderFacts, upsertOrderRows, type OrderFactRow, type OrderWrite } from "@/server/repositories/orders";
import { createWebhookEvent, FACTORY_EPOCH } from "../support/factories";
import { testProvider } from "../support/test-database";

/*
 * On SQLite the worker's per-batch statements (claim, outcomes, order facts,
 * order rows) run on the driver (server/repositories/inbox-driver.ts,
 * orders-driver.ts); everything else reads those rows through Prisma. These
 * cases write through the repositories and read back through Prisma, field by
 * field, and compare each stored DateTime with what Prisma itself writes for
 * the same instant (SQLite compares and orders DateTimes as text). On
 * PostgreSQL the same cases check the Prisma statements.
 */

const client = createDb(process.env.DATABASE_URL ?? "");

afterAll(async () => {
  await client.$disconnect();
});

async function storedText(table: string, column: string, keyColumn: string, key: string): Promise<string | null> {
  const rows = await client.$queryRaw<{ value: string | null }[]>(
    Prisma.sql`SELECT CAST(${Prisma.raw(`"${column}"`)} AS TEXT) AS "value" FROM ${Prisma.raw(`"${table}"`)} WHERE ${Prisma.raw(`"${keyColumn}"`)} = ${key}`,
  );
  if (rows.length === 0) throw new Error(`no ${table} row ${key}`);
  return rows[0]?.value ?? null;
}

const at = (seconds: number) => new Date(FACTORY_EPOCH.getTime() + seconds * 1_000 + 123);

function fact(orderUid: string, overrides: Partial<OrderFactRow> = {}): OrderFactRow {
  return {
    eventId: randomUUID(),
    orderUid,
    kind: "order",
    eventType: "order.created",
    entityUid: orderUid,
    status: "created",
    dataUpdatedAt: 1_764_950_400n,
    timestamp: 1_764_950_401n,
    receivedAt: at(1),
    pharmacyUid: null,
    pharmacyName: null,
    deliveryType: "standard",
    shopOrderName: "#1001",
    patientKey: "pk_hash",
    ...overrides,
  };
}

function orderWrite(orderUid: string): OrderWrite {
  return {
    orderUid,
    stage: "in_pharmacy",
    status: "in-progress",
    reachedStage: "in_pharmacy",
    stageSince: at(10),
    firstEventAt: at(1),
    lastEventAt: at(10),
    pharmacyUid: "ph_1",
    pharmacyName: "Apotheke Nord",
    deliveryType: null,
    shopOrderName: "#1001",
    patientKey: null,
    gaps: "prescription",
    entities: '{"entities":[]}',
    eventCount: 2,
    stuckAt: at(3_600),
    furthestStage: "in_pharmacy",
    orderedSeconds: 4,
    prescriptionApprovedSeconds: null,
    prescriptionSignedSeconds: null,
    sentToPharmacySeconds: 5,
    inPharmacySeconds: null,
    shippedSeconds: null,
    toShipSeconds: null,
    wentOutOfStock: true,
    firstStuckAt: null,
  };
}

describe(`the worker's statements on ${testProvider()}`, () => {
  it("stores order facts and rows as Prisma reads them back, dates in the form Prisma writes them, and overwrites on re-processing", async () => {
    const orderUid = `ord_${randomUUID()}`;
    const first = fact(orderUid);
    const second = fact(orderUid, { kind: "pharmacy_order", eventType: "pharmacy_order.updated", entityUid: "po_1", status: "in-progress", dataUpdatedAt: null, pharmacyUid: "ph_1", pharmacyName: "Apotheke Nord", patientKey: null });
    await upsertOrderFacts([first, second, fact(`ord_${randomUUID()}`)]);
    await upsertOrderFacts([{ ...second, status: "shipped" }]);

    const read = await listFactsOfOrders([orderUid, orderUid]);
    expect(read.map(({ eventId, status }) => ({ eventId, status })).sort((a, b) => a.eventId.localeCompare(b.eventId))).toEqual(
      [{ eventId: first.eventId, status: "created" }, { eventId: second.eventId, status: "shipped" }].sort((a, b) => a.eventId.localeCompare(b.eventId)),
    );
    expect(read.find((row) => row.eventId === first.eventId)).toMatchObject(first);
    expect(await client.orderFact.findUniqueOrThrow({ where: { eventId: second.eventId } })).toMatchObject({ ...second, status: "shipped", source: "webhook" });
    expect(await countFactsOfOrders([orderUid, "ord_none"])).toEqual(new Map([[orderUid, 2]]));

    const order = orderWrite(orderUid);
    await upsertOrderRows([order]);
    await upsertOrderRows([{ ...order, status: "shipped", eventCount: 3, stuckAt: null }]);
    const storedOrder = await client.order.findUniqueOrThrow({ where: { orderUid } });
    expect(storedOrder).toMatchObject({ ...order, status: "shipped", eventCount: 3, stuckAt: null });
    expect(Math.abs(storedOrder.updatedAt.getTime() - Date.now())).toBeLessThan(60_000);

    // The same instants written by Prisma must be stored identically.
    const reference = `ord_${randomUUID()}`;
    await client.order.create({ data: { ...order, orderUid: reference } });
    await client.orderFact.create({ data: { ...first, eventId: randomUUID(), orderUid: reference } });
    for (const column of ["stage_since", "first_event_at", "last_event_at", "went_out_of_stock"]) {
      expect(await storedText("order", column, "order_uid", orderUid), column).toBe(await storedText("order", column, "order_uid", reference));
    }
    const referenceFact = await client.orderFact.findFirstOrThrow({ where: { orderUid: reference } });
    expect(await storedText("order_fact", "received_at", "event_id", first.eventId)).toBe(await storedText("order_fact", "received_at", "event_id", referenceFact.eventId));
  });

  it("claims and records outcomes as Prisma reads them back, dates in the form Prisma writes them", async () => {
    const now = at(100);
    const leaseExpiresAt = at(160);
    const repository = createInboxRepository();
    const ids: string[] = [];
    for (let index = 0; index < 4; index += 1) ids.push((await createWebhookEvent(client, { nextAttemptAt: at(index) })).id);
    const claimed = await repository.claimDueEvents({ workerId: "worker-a", now, leaseExpiresAt, limit: 10 });
    expect(claimed.map((event) => event.id).sort()).toEqual([...ids].sort());
    const [succeeded, failed, dead, stale] = [...claimed].sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
    if (!succeeded || !failed || !dead || !stale) throw new Error("four events claimed");
    expect(succeeded).toMatchObject({ attempt: 1, fence: { eventId: succeeded.id, workerId: "worker-a", leaseExpiresAt }, bodyError: null });
    expect(succeeded.body).toBeInstanceOf(Uint8Array);
    expect(await client.processingAttempt.findUniqueOrThrow({ where: { id: succeeded.attemptId } })).toMatchObject({
      eventId: succeeded.id,
      attempt: 1,
      worker: "worker-a",
      startedAt: now,
      finishedAt: null,
      outcome: "failed",
      error: INTERRUPTED_ATTEMPT_ERROR,
    });
    expect(await client.webhookEvent.findUniqueOrThrow({ where: { id: succeeded.id } })).toMatchObject({ status: "processing", attempts: 1, leaseOwner: "worker-a", leaseExpiresAt });

    const finishedAt = at(120);
    const retryAt = at(900);
    const owned = await repository.finishRuns(
      [
        { fence: succeeded.fence, attemptId: succeeded.attemptId, result: { outcome: "succeeded" } },
        { fence: failed.fence, attemptId: failed.attemptId, result: { outcome: "failed", error: "upstream timeout", retryAt } },
        { fence: dead.fence, attemptId: dead.attemptId, result: { outcome: "dead", error: "no uid" } },
        // A fence that does not hold: the lease expiry differs.
        { fence: { ...stale.fence, leaseExpiresAt: at(161) }, attemptId: stale.attemptId, result: { outcome: "succeeded" } },
      ],
      finishedAt,
    );
    expect(owned).toEqual([true, true, true, false]);
    const events = new Map((await client.webhookEvent.findMany({ where: { id: { in: ids } } })).map((event) => [event.id, event]));
    expect(events.get(succeeded.id)).toMatchObject({ status: "processed", processedAt: finishedAt, lastError: null, leaseOwner: null, leaseExpiresAt: null, nextAttemptAt: at(0) });
    expect(events.get(failed.id)).toMatchObject({ status: "failed", processedAt: null, lastError: "upstream timeout", nextAttemptAt: retryAt, leaseOwner: null });
    expect(events.get(dead.id)).toMatchObject({ status: "dead", processedAt: null, lastError: "no uid", nextAttemptAt: at(2), leaseOwner: null });
    expect(await client.processingAttempt.findUniqueOrThrow({ where: { id: succeeded.attemptId } })).toMatchObject({ outcome: "succeeded", error: null, finishedAt });
    expect(await client.processingAttempt.findUniqueOrThrow({ where: { id: failed.attemptId } })).toMatchObject({ outcome: "failed", error: "upstream timeout", finishedAt });
    expect(await client.processingAttempt.findUniqueOrThrow({ where: { id: dead.attemptId } })).toMatchObject({ outcome: "dead", error: "no uid", finishedAt });
    // The run whose fence does not hold changed nothing on its event; its attempt records the lost lease.
    expect(events.get(stale.id)).toMatchObject({ status: "processing", leaseOwner: "worker-a", leaseExpiresAt, processedAt: null });
    expect(await client.processingAttempt.findUniqueOrThrow({ where: { id: stale.attemptId } })).toMatchObject({ outcome: "failed", error: expect.stringMatching(/^lease_lost/) });

    const referenceId = (await createWebhookEvent(client, { nextAttemptAt: retryAt, status: "processed" })).id;
    await client.webhookEvent.update({ where: { id: referenceId }, data: { processedAt: finishedAt } });
    expect(await storedText("webhook_event", "processed_at", "id", succeeded.id)).toBe(await storedText("webhook_event", "processed_at", "id", referenceId));
    expect(await storedText("webhook_event", "next_attempt_at", "id", failed.id)).toBe(await storedText("webhook_event", "next_attempt_at", "id", referenceId));
  });
});
