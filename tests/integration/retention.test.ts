import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as forgetRoute } from "@/app/api/data-protection/forget-patient/route";
import { GET as listRunsRoute, POST as startPurgeRoute } from "@/app/api/data-protection/purge-runs/route";
import { forgetPatientResultDtoSchema, purgeRunDtoSchema, purgeRunListDtoSchema } from "@/lib/data-protection";
import { createApiToken } from "@/server/auth/tokens";
import { patientSearchKey } from "@/server/crypto/search-key";
import { db } from "@/server/core/db";
import { runRetentionPurge } from "@/server/retention/purge";
import { forgetCachedSettings, updateSettings } from "@/server/settings/settings";

/*
 * Retention and erasure against a real database with an injected clock: rows
 * are written as ingest and the worker leave them (sealed bodies stand in as
 * opaque bytes), the purge runs at NOW, and the test checks what is left.
 */

// Info lines on, so the test below can check that no log line carries a patient uid.
vi.hoisted(() => {
  process.env.LOG_LEVEL = "info";
});

const NOW = new Date("2027-06-01T00:00:00.000Z");
const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

let adminToken = "";
let supportToken = "";
let staffToken = "";

beforeAll(async () => {
  adminToken = (await createApiToken({ name: "dpo", role: "admin" }, null)).secret;
  supportToken = (await createApiToken({ name: "support desk", role: "support" }, null)).secret;
  staffToken = (await createApiToken({ name: "front desk", role: "staff" }, null)).secret;
});

beforeEach(async () => {
  const client = await db();
  await client.revealGrant.deleteMany();
  await client.processingAttempt.deleteMany();
  await client.delivery.deleteMany();
  await client.webhookEvent.deleteMany();
  await client.orderFact.deleteMany();
  await client.order.deleteMany();
  await client.purgeRun.deleteMany();
  await client.auditEntry.deleteMany();
  await client.setting.deleteMany();
  forgetCachedSettings();
});

afterEach(() => {
  vi.restoreAllMocks();
});

let sequence = 0;

/** Stand-in for a sealed body: opaque bytes that name the patient, as the real plaintext would. */
function bodyOf(patientUid: string | undefined): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(`sealed:${patientUid ?? "nobody"}:${++sequence}`));
}

interface SeedEvent {
  receivedAt: Date;
  status?: string;
  patientUid?: string;
  orderUid?: string;
  /** Whether the delivery itself carries the patient's hash (ingest sets it; rows from before did not). */
  isDeliveryKeyed?: boolean;
  /** Whether the worker has recorded the event's order fact (false for an event not yet processed). */
  isProjected?: boolean;
}

/** An event with its accepted delivery, and, when it names an order, the order fact and order the worker writes. */
async function seedEvent(input: SeedEvent): Promise<{ eventId: string; deliveryId: string }> {
  const client = await db();
  const eventId = randomUUID();
  const deliveryId = randomUUID();
  const patientKey = input.patientUid ? patientSearchKey(input.patientUid) : null;
  const status = input.status ?? "processed";
  await client.webhookEvent.create({
    data: {
      id: eventId,
      eventType: "pharmacy_order_updated",
      eventTimestamp: BigInt(1_700_000_000 + ++sequence),
      payloadVersion: "1",
      dataUid: `po-${eventId}`,
      bodySha256: `sha-${eventId}`,
      firstReceivedAt: input.receivedAt,
      lastReceivedAt: input.receivedAt,
      status,
      nextAttemptAt: input.receivedAt,
      processedAt: status === "processed" ? input.receivedAt : null,
      orderUid: input.orderUid ?? null,
      patientKey,
      deliveries: {
        create: {
          id: deliveryId,
          receivedAt: input.receivedAt,
          outcome: "accepted",
          httpStatus: 200,
          bodySha256: `sha-${eventId}`,
          bodySize: 40,
          body: bodyOf(input.patientUid),
          bodyKeyId: "test-key",
          patientKey: input.isDeliveryKeyed === false ? null : patientKey,
          headers: "{}",
        },
      },
    },
  });
  if (input.orderUid && input.isProjected !== false) {
    await client.orderFact.create({
      data: {
        eventId,
        orderUid: input.orderUid,
        kind: "pharmacy_order",
        eventType: "pharmacy_order_updated",
        entityUid: `po-${input.orderUid}`,
        status: "in-progress",
        timestamp: BigInt(Math.floor(input.receivedAt.getTime() / 1000)),
        receivedAt: input.receivedAt,
        patientKey,
      },
    });
    const existing = await client.order.findUnique({ where: { orderUid: input.orderUid } });
    const lastEventAt = existing && existing.lastEventAt > input.receivedAt ? existing.lastEventAt : input.receivedAt;
    await client.order.upsert({
      where: { orderUid: input.orderUid },
      create: {
        orderUid: input.orderUid,
        stage: "in_pharmacy",
        status: "in-progress",
        stageSince: input.receivedAt,
        firstEventAt: input.receivedAt,
        lastEventAt,
        entities: "{}",
        eventCount: 1,
        patientKey,
      },
      update: { lastEventAt, eventCount: { increment: 1 } },
    });
  }
  return { eventId, deliveryId };
}

async function seedRejected(receivedAt: Date, patientUid?: string): Promise<string> {
  const id = randomUUID();
  await (
    await db()
  ).delivery.create({
    data: {
      id,
      receivedAt,
      outcome: "rejected",
      reasonCode: "bad_signature",
      httpStatus: 401,
      bodySha256: `sha-${id}`,
      bodySize: 40,
      body: bodyOf(patientUid),
      bodyKeyId: "test-key",
      patientKey: patientUid ? patientSearchKey(patientUid) : null,
      headers: "{}",
    },
  });
  return id;
}

async function seedRevealGrant(deliveryId: string): Promise<string> {
  const id = randomUUID();
  await (await db()).revealGrant.create({ data: { id, deliveryId, actorType: "user", actorId: "u-1", reason: "ticket 7", createdAt: daysAgo(1), expiresAt: new Date(NOW.getTime() + DAY_MS) } });
  return id;
}

async function seedAudit(at: Date): Promise<string> {
  const id = randomUUID();
  await (await db()).auditEntry.create({ data: { id, at, actorType: "system", actorLabel: "seed", action: "settings.update" } });
  return id;
}

type RouteHandler = (request: Request, context: { params: Promise<Record<string, never>> }) => Promise<Response>;

function call(handler: RouteHandler, path: string, token: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method: body === undefined ? "GET" : "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return handler(new Request(`http://rxwatch.test${path}`, init), { params: Promise.resolve({}) });
}

describe("retention purge", () => {
  it("removes each kind after its own period and keeps order summaries, unfinished events and younger rows", async () => {
    const client = await db();
    const oldBody = await seedEvent({ receivedAt: daysAgo(100), orderUid: "ord-kept", patientUid: "pat-1" });
    const youngBody = await seedEvent({ receivedAt: daysAgo(10), orderUid: "ord-kept", patientUid: "pat-1" });
    const expiredOfLiveOrder = await seedEvent({ receivedAt: daysAgo(400), orderUid: "ord-kept" });
    const expired = await seedEvent({ receivedAt: daysAgo(400), orderUid: "ord-gone" });
    const duplicateId = randomUUID();
    await client.delivery.create({
      data: { id: duplicateId, receivedAt: daysAgo(399), outcome: "duplicate", httpStatus: 200, bodySha256: "dup", bodySize: 3, body: bodyOf(undefined), headers: "{}", eventId: expired.eventId },
    });
    await client.processingAttempt.create({ data: { id: randomUUID(), eventId: expired.eventId, attempt: 1, worker: "w", startedAt: daysAgo(400), outcome: "succeeded" } });
    const expiredGrant = await seedRevealGrant(expired.deliveryId);
    const expiredOfWaitingOrder = await seedEvent({ receivedAt: daysAgo(400), orderUid: "ord-waiting" });
    const pending = await seedEvent({ receivedAt: daysAgo(400), status: "pending", orderUid: "ord-waiting", isProjected: false });
    const failed = await seedEvent({ receivedAt: daysAgo(400), status: "failed" });
    const oldRejected = await seedRejected(daysAgo(40));
    const oldRejectedGrant = await seedRevealGrant(oldRejected);
    const youngRejected = await seedRejected(daysAgo(20));
    const oldAudit = await seedAudit(daysAgo(731));
    const youngAudit = await seedAudit(daysAgo(729));

    const result = await runRetentionPurge(NOW);

    const purged = await client.delivery.findUniqueOrThrow({ where: { id: oldBody.deliveryId } });
    expect(purged).toMatchObject({ body: null, bodyKeyId: null, bodyPurgeReason: "retention", bodyPurgedAt: NOW, outcome: "accepted", bodySize: 40 });
    expect(await client.webhookEvent.findUnique({ where: { id: oldBody.eventId } })).toMatchObject({ status: "processed", patientKey: patientSearchKey("pat-1") });
    expect((await client.delivery.findUniqueOrThrow({ where: { id: youngBody.deliveryId } })).body).not.toBeNull();

    // The order outlives its bodies and its expired event: summary and every fact stay while any event remains.
    expect(await client.order.findUnique({ where: { orderUid: "ord-kept" } })).toMatchObject({ stage: "in_pharmacy", status: "in-progress" });
    expect(await client.orderFact.count({ where: { orderUid: "ord-kept" } })).toBe(3);
    expect(await client.webhookEvent.findUnique({ where: { id: expiredOfLiveOrder.eventId } })).toBeNull();
    expect(await client.delivery.findUnique({ where: { id: expiredOfLiveOrder.deliveryId } })).toBeNull();

    // An order none of whose events remain goes, with its facts; the event takes its deliveries, attempts and grants.
    expect(await client.webhookEvent.findUnique({ where: { id: expired.eventId } })).toBeNull();
    expect(await client.delivery.count({ where: { id: { in: [expired.deliveryId, duplicateId] } } })).toBe(0);
    expect(await client.processingAttempt.count({ where: { eventId: expired.eventId } })).toBe(0);
    expect(await client.revealGrant.count({ where: { id: { in: [expiredGrant, oldRejectedGrant] } } })).toBe(0);
    expect(await client.order.findUnique({ where: { orderUid: "ord-gone" } })).toBeNull();
    expect(await client.orderFact.count({ where: { orderUid: "ord-gone" } })).toBe(0);

    // An order with an event still to process keeps its summary and facts although its processed event went.
    expect(await client.webhookEvent.findUnique({ where: { id: expiredOfWaitingOrder.eventId } })).toBeNull();
    expect(await client.order.findUnique({ where: { orderUid: "ord-waiting" } })).not.toBeNull();
    expect(await client.orderFact.count({ where: { orderUid: "ord-waiting" } })).toBe(1);

    // Work not yet done is never removed, nor the body it runs from.
    for (const unfinished of [pending, failed]) {
      expect(await client.webhookEvent.findUnique({ where: { id: unfinished.eventId } })).not.toBeNull();
      expect((await client.delivery.findUniqueOrThrow({ where: { id: unfinished.deliveryId } })).body).not.toBeNull();
    }

    expect(await client.delivery.findUnique({ where: { id: oldRejected } })).toBeNull();
    expect((await client.delivery.findUniqueOrThrow({ where: { id: youngRejected } })).body).not.toBeNull();
    expect(await client.auditEntry.findUnique({ where: { id: oldAudit } })).toBeNull();
    expect(await client.auditEntry.findUnique({ where: { id: youngAudit } })).not.toBeNull();

    // Bodies: the 100-day one and the four 400-day deliveries of processed events (removed before their rows are).
    const expected = { bodies: 5, rejected: 1, events: 3, deliveries: 4, orders: 1, orderFacts: 1, revealGrants: 2, audit: 1 };
    expect(result.removed).toEqual(expected);
    const run = await client.purgeRun.findUniqueOrThrow({ where: { id: result.runId } });
    expect(run).toMatchObject({ trigger: "retention", state: "completed", startedAt: NOW, auditId: result.auditId, actorId: null, error: null });
    expect(JSON.parse(run.removed)).toEqual(expected);
    const audit = await client.auditEntry.findUniqueOrThrow({ where: { id: result.auditId } });
    expect(audit).toMatchObject({ action: "retention.purge", actorType: "system", actorLabel: "retention", outcome: "success", targetType: "purge_run", targetId: result.runId });
    expect(JSON.parse(audit.details)).toEqual(expected);

    // Run again (as a second instance would): nothing is removed or counted twice.
    const again = await runRetentionPurge(NOW);
    expect(again.removed).toEqual({ bodies: 0, rejected: 0, events: 0, deliveries: 0, orders: 0, orderFacts: 0, revealGrants: 0, audit: 0 });
  });

  it("works through 1 250 rows in batches of 500", async () => {
    const client = await db();
    const receivedAt = daysAgo(100);
    const ids = Array.from({ length: 1250 }, () => randomUUID());
    await client.webhookEvent.createMany({
      data: ids.map((id, index) => ({
        id,
        eventType: "pharmacy_order_updated",
        eventTimestamp: BigInt(1_600_000_000 + index),
        payloadVersion: "1",
        dataUid: `po-${index}`,
        bodySha256: `sha-${id}`,
        firstReceivedAt: receivedAt,
        lastReceivedAt: receivedAt,
        status: "processed",
        nextAttemptAt: receivedAt,
      })),
    });
    await client.delivery.createMany({
      data: ids.map((id) => ({ id, eventId: id, receivedAt, outcome: "accepted", httpStatus: 200, bodySha256: `sha-${id}`, bodySize: 10, body: bodyOf(undefined), headers: "{}" })),
    });

    const result = await runRetentionPurge(NOW);

    expect(result.removed.bodies).toBe(1250);
    expect(result.batches.bodies).toBe(3);
    expect(await client.delivery.count({ where: { body: { not: null } } })).toBe(0);
    expect(await client.webhookEvent.count()).toBe(1250);
  });

  it("follows changed periods and refuses an audit period shorter than another period", async () => {
    const client = await db();
    await expect(updateSettings("retention", { rawBodyDays: 90, eventDays: 365, rejectedDeliveryDays: 30, auditDays: 300 }, null)).rejects.toMatchObject({
      code: "invalid_request",
      details: { issues: [{ path: "auditDays" }] },
    });
    await updateSettings("retention", { rawBodyDays: 5, eventDays: 60, rejectedDeliveryDays: 2, auditDays: 60 }, null);
    const event = await seedEvent({ receivedAt: daysAgo(6) });
    const gone = await seedEvent({ receivedAt: daysAgo(61) });
    const rejected = await seedRejected(daysAgo(3));
    const audit = await seedAudit(daysAgo(61));
    const keptAudit = await seedAudit(daysAgo(59));

    const result = await runRetentionPurge(NOW);

    expect((await client.delivery.findUniqueOrThrow({ where: { id: event.deliveryId } })).body).toBeNull();
    expect(await client.webhookEvent.findUnique({ where: { id: gone.eventId } })).toBeNull();
    expect(await client.delivery.findUnique({ where: { id: rejected } })).toBeNull();
    expect(await client.auditEntry.findUnique({ where: { id: audit } })).toBeNull();
    expect(await client.auditEntry.findUnique({ where: { id: keptAudit } })).not.toBeNull();
    expect(result.removed).toMatchObject({ bodies: 2, events: 1, rejected: 1, audit: 1 });
  });

  it("starts from the settings page for admins only, answering before it finishes", async () => {
    for (const token of [staffToken, supportToken]) {
      expect((await call(startPurgeRoute, "/api/data-protection/purge-runs", token, {})).status).toBe(403);
      expect((await call(listRunsRoute, "/api/data-protection/purge-runs", token)).status).toBe(403);
    }
    await seedRejected(daysAgo(400));
    const response = await call(startPurgeRoute, "/api/data-protection/purge-runs", adminToken, {});
    expect(response.status).toBe(202);
    const started = purgeRunDtoSchema.parse(await response.json());
    expect(started).toMatchObject({ trigger: "retention", isManual: true });

    let run = started;
    for (let poll = 0; poll < 200 && run.state === "running"; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const list = purgeRunListDtoSchema.parse(await (await call(listRunsRoute, "/api/data-protection/purge-runs", adminToken)).json());
      run = list.runs.find((candidate) => candidate.id === started.id) ?? run;
    }
    expect(run).toMatchObject({ state: "completed", removed: { rejected: 1 } });
    const audit = await (await db()).auditEntry.findFirstOrThrow({ where: { action: "retention.purge" } });
    expect(audit).toMatchObject({ actorType: "api_token", actorLabel: "dpo" });
  });
});

describe("forget patient", () => {
  it("removes exactly the bodies that mention the patient, unlinks the rest, audits without the uid and finds nothing the second time", async () => {
    const client = await db();
    const keyed = await seedEvent({ receivedAt: daysAgo(3), orderUid: "ord-a", patientUid: "pat-erika" });
    const viaEvent = await seedEvent({ receivedAt: daysAgo(2), orderUid: "ord-a", patientUid: "pat-erika", isDeliveryKeyed: false });
    const rejected = await seedRejected(daysAgo(1), "pat-erika");
    const alreadyPurged = await seedEvent({ receivedAt: daysAgo(200), patientUid: "pat-erika" });
    await client.delivery.update({ where: { id: alreadyPurged.deliveryId }, data: { body: null, bodyPurgedAt: daysAgo(100), bodyPurgeReason: "retention" } });
    const grant = await seedRevealGrant(keyed.deliveryId);
    const other = await seedEvent({ receivedAt: daysAgo(3), orderUid: "ord-b", patientUid: "pat-max" });
    const otherGrant = await seedRevealGrant(other.deliveryId);
    const lines: string[] = [];
    // The logger (pino) writes to the process streams directly.
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => lines.push(String(chunk)) > 0);

    for (const token of [staffToken, supportToken]) {
      expect((await call(forgetRoute, "/api/data-protection/forget-patient", token, { patientUid: "pat-erika", reason: "DSR-2027-014" })).status).toBe(403);
    }
    expect((await call(forgetRoute, "/api/data-protection/forget-patient", adminToken, { patientUid: "pat-erika", reason: "" })).status).toBe(400);
    const response = await call(forgetRoute, "/api/data-protection/forget-patient", adminToken, { patientUid: " pat-erika ", reason: "DSR-2027-014" });
    expect(response.status).toBe(200);
    const result = forgetPatientResultDtoSchema.parse(await response.json());

    expect(result).toMatchObject({ isNothingFound: false, removed: { bodies: 3, deliveries: 4, events: 3, orderFacts: 2, orders: 1, revealGrants: 1 } });
    for (const id of [keyed.deliveryId, viaEvent.deliveryId, rejected]) {
      expect(await client.delivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ body: null, bodyKeyId: null, bodyPurgeReason: "forget_patient", patientKey: null });
    }
    expect(await client.delivery.findUniqueOrThrow({ where: { id: alreadyPurged.deliveryId } })).toMatchObject({ bodyPurgeReason: "retention", patientKey: null });
    expect(await client.revealGrant.findUnique({ where: { id: grant } })).toBeNull();
    const key = patientSearchKey("pat-erika");
    expect(await client.webhookEvent.count({ where: { patientKey: key } })).toBe(0);
    expect(await client.orderFact.count({ where: { patientKey: key } })).toBe(0);
    // The order keeps its progress summary, no longer linked to the patient.
    expect(await client.order.findUniqueOrThrow({ where: { orderUid: "ord-a" } })).toMatchObject({ stage: "in_pharmacy", status: "in-progress", patientKey: null });

    // Another patient's rows are untouched.
    expect(await client.delivery.findUniqueOrThrow({ where: { id: other.deliveryId } })).toMatchObject({ bodyPurgeReason: null, patientKey: patientSearchKey("pat-max") });
    expect((await client.delivery.findUniqueOrThrow({ where: { id: other.deliveryId } })).body).not.toBeNull();
    expect(await client.revealGrant.findUnique({ where: { id: otherGrant } })).not.toBeNull();
    expect(await client.order.findUniqueOrThrow({ where: { orderUid: "ord-b" } })).toMatchObject({ patientKey: patientSearchKey("pat-max") });

    const audit = await client.auditEntry.findUniqueOrThrow({ where: { id: result.auditId } });
    expect(audit).toMatchObject({ action: "patient.forget", reason: "DSR-2027-014", targetType: "patient", targetId: key, actorType: "api_token", actorLabel: "dpo" });
    const run = await client.purgeRun.findUniqueOrThrow({ where: { id: result.runId } });
    expect(run).toMatchObject({ trigger: "forget_patient", state: "completed", auditId: result.auditId });
    expect(JSON.parse(run.removed)).toEqual(result.removed);

    const second = forgetPatientResultDtoSchema.parse(await (await call(forgetRoute, "/api/data-protection/forget-patient", adminToken, { patientUid: "pat-erika", reason: "DSR-2027-014 reminder" })).json());
    expect(second).toMatchObject({ isNothingFound: true, removed: { bodies: 0, deliveries: 0, events: 0, orderFacts: 0, orders: 0, revealGrants: 0 } });

    // The uid is nowhere: not in the log, the audit log, the purge runs or their listing.
    const listing = await (await call(listRunsRoute, "/api/data-protection/purge-runs", adminToken)).text();
    const audits = JSON.stringify(await client.auditEntry.findMany());
    const runs = JSON.stringify(await client.purgeRun.findMany());
    expect(lines.some((line) => line.includes("patient forgotten"))).toBe(true);
    for (const text of [lines.join("\n"), audits, runs, listing]) expect(text).not.toContain("pat-erika");
  });
});
