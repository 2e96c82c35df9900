import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getOrders } from "@/app/api/orders/route";
import { GET as getDeliveries } from "@/app/api/deliveries/route";
import { createApiToken } from "@/server/auth/tokens";
import { keyRing } from "@/server/crypto/key-ring";
import { patientSearchKey } from "@/server/crypto/search-key";
import { createDb } from "@/server/core/db";
import { AppError } from "@/server/core/errors";
import { addSigningSecret, loadSignatureCandidates } from "@/server/signing-secrets/signing-secrets";
import { keyStatus, rotateKeys } from "@/server/key-rotation/rotate-keys";
import { createInboxWorker } from "@/server/processing/worker";
import { findDeliveryRecord } from "@/server/repositories/delivery-queries";
import { readApiKey, saveApiKey } from "@/server/subscriptions/api-key";
import { sign, webhookRequest } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * Encryption at rest end to end, on a real database of this project's
 * provider: what ingest writes to disk, that every reader still gets the
 * body, and a key rotation from key A to key B with rows on both keys (and
 * plaintext rows from before bodies were sealed) while search keeps working.
 */

const KEY_A = "rotation-test-key-a-with-at-least-32-characters";
const KEY_B = "rotation-test-key-b-with-at-least-32-characters";
const keys = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_encryption_test_secret_01";
  return { current: "rotation-test-key-a-with-at-least-32-characters", previous: [] as string[] };
});
vi.mock("@/server/core/secret-key", () => ({ secretKey: () => keys.current, previousSecretKeys: () => keys.previous }));

const SECRET = "whsec_encryption_test_secret_01";
const PATIENT_NAME = "Erika Verschlüsselt";
const client = createDb(process.env.DATABASE_URL ?? "");
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 100 } });
let token = "";

beforeAll(async () => {
  token = (await createApiToken({ name: "support", role: "support" }, null)).secret;
});

afterAll(async () => {
  await client.$disconnect();
});

function useKeys(current: string, previous: string[] = []): void {
  keys.current = current;
  keys.previous = previous;
}

let clock = 1_800_000_000;
function pharmacyOrderBody(orderUid: string, patientUid: string, status = "in-progress"): string {
  const at = (clock += 60);
  return JSON.stringify({
    event_type: "pharmacy_order_updated",
    timestamp: at,
    payload_version: "1",
    data: {
      uid: `po-${orderUid}`,
      status,
      updated_at: at,
      order: { uid: orderUid },
      patient_data: { uid: patientUid, display_name: PATIENT_NAME, date_of_birth: "1985-06-30" },
    },
  });
}

async function send(body: string, signature = sign(body, SECRET)): Promise<number> {
  const response = await postWebhook(webhookRequest(body, { signature }));
  return response.status;
}

const rawRowSchema = z.object({ id: z.string(), body: z.instanceof(Uint8Array).nullable(), body_key_id: z.string().nullable(), patient_key: z.string().nullable() });

/** The delivery columns exactly as the database holds them, read with plain SQL (no repository in between). */
async function rawDeliveries(orderUid: string) {
  const rows = await client.$queryRaw`SELECT "d"."id", "d"."body", "d"."body_key_id", "d"."patient_key" FROM "delivery" AS "d"
    WHERE "d"."event_id" IN (SELECT "e"."id" FROM "webhook_event" AS "e" WHERE "e"."order_uid" = ${orderUid}) ORDER BY "d"."id"`;
  return z.array(rawRowSchema).parse(rows);
}

function containsText(bytes: Uint8Array | null, text: string): boolean {
  return bytes !== null && Buffer.from(bytes).includes(Buffer.from(text, "utf8"));
}

async function apiJson(handler: typeof getOrders, path: string): Promise<unknown> {
  const response = await handler(new Request(`http://rxwatch.test${path}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
  expect(response.status).toBe(200);
  return response.json();
}

const ordersPageSchema = z.object({ orders: z.array(z.object({ orderUid: z.string() })) });
const deliveriesPageSchema = z.object({ deliveries: z.array(z.object({ id: z.string() })) });

async function ordersFoundBy(q: string): Promise<string[]> {
  return ordersPageSchema.parse(await apiJson(getOrders, `/api/orders?q=${encodeURIComponent(q)}`)).orders.map((order) => order.orderUid).sort();
}

async function deliveriesFoundBy(q: string): Promise<number> {
  return deliveriesPageSchema.parse(await apiJson(getDeliveries, `/api/deliveries?q=${encodeURIComponent(q)}`)).deliveries.length;
}

async function patientKeysOf(orderUid: string) {
  const events = await client.webhookEvent.findMany({ where: { orderUid }, select: { patientKey: true } });
  const facts = await client.orderFact.findMany({ where: { orderUid }, select: { patientKey: true } });
  const order = await client.order.findUnique({ where: { orderUid }, select: { patientKey: true } });
  const deliveries = await rawDeliveries(orderUid);
  return [...events, ...facts, ...(order ? [order] : []), ...deliveries.map((row) => ({ patientKey: row.patient_key }))].map((row) => row.patientKey);
}

describe(`encryption at rest on ${testProvider()}`, () => {
  it("stores accepted and refused bodies sealed, with the key id and the patient's keyed hash, and processing still reads them", async () => {
    useKeys(KEY_A);
    const orderUid = `ord-${randomUUID().slice(0, 8)}`;
    const patientUid = `pat-${randomUUID().slice(0, 8)}`;
    expect(await send(pharmacyOrderBody(orderUid, patientUid))).toBe(200);
    const refused = pharmacyOrderBody(`${orderUid}-refused`, patientUid);
    expect(await send(refused, sign(refused, "whsec_someone_else_0000"))).toBe(401);

    const [accepted] = await rawDeliveries(orderUid);
    const refusedRow = await client.delivery.findFirstOrThrow({ where: { reasonCode: "bad_signature", bodySha256: { not: "" } }, orderBy: { receivedAt: "desc" }, select: { id: true } });
    const [rawRefused] = z.array(rawRowSchema).parse(await client.$queryRaw`SELECT "id", "body", "body_key_id", "patient_key" FROM "delivery" WHERE "id" = ${refusedRow.id}`);
    for (const row of [accepted, rawRefused]) {
      expect(row?.body).not.toBeNull();
      expect(containsText(row?.body ?? null, PATIENT_NAME)).toBe(false);
      expect(containsText(row?.body ?? null, patientUid)).toBe(false);
      expect(containsText(row?.body ?? null, "patient_data")).toBe(false);
      expect(row?.body_key_id).toBe(keyRing().current.id);
      expect(row?.patient_key).toBe(patientSearchKey(patientUid));
    }

    await worker.drain();
    expect(await client.order.findUnique({ where: { orderUid }, select: { stage: true, patientKey: true } })).toMatchObject({ patientKey: patientSearchKey(patientUid) });
    expect(await client.webhookEvent.findMany({ where: { orderUid }, select: { status: true } })).toEqual([{ status: "processed" }]);
    const record = await findDeliveryRecord(accepted?.id ?? "");
    expect(containsText(record?.body ?? null, PATIENT_NAME)).toBe(true);
    expect(await ordersFoundBy(patientUid)).toEqual([orderUid]);
  });

  it("rotates from key A to key B with rows on both, keeping search by patient working throughout", async () => {
    useKeys(KEY_A);
    const patientUid = `pat-${randomUUID().slice(0, 8)}`;
    const onA = `ord-a-${randomUUID().slice(0, 8)}`;
    const onB = `ord-b-${randomUUID().slice(0, 8)}`;
    expect(await send(pharmacyOrderBody(onA, patientUid))).toBe(200);
    await worker.drain();
    const signingSecret = await addSigningSecret({ label: "stored on A", secret: "whsec_stored_signing_secret_a1" });
    await saveApiKey("rxscale_api_key_sealed_with_a", null);
    const keyA = keyRing().current.id;
    const hashA = patientSearchKey(patientUid);

    // Step 1 of a rotation: B becomes current, A stays readable.
    useKeys(KEY_B, [KEY_A]);
    const keyB = keyRing().current.id;
    const hashB = patientSearchKey(patientUid);
    expect(keyB).not.toBe(keyA);
    expect(hashB).not.toBe(hashA);
    expect(await send(pharmacyOrderBody(onB, patientUid))).toBe(200);
    await worker.drain();
    expect((await rawDeliveries(onA)).map((row) => row.body_key_id)).toEqual([keyA]);
    expect((await rawDeliveries(onB)).map((row) => row.body_key_id)).toEqual([keyB]);
    expect(new Set(await patientKeysOf(onA))).toEqual(new Set([hashA]));
    expect(new Set(await patientKeysOf(onB))).toEqual(new Set([hashB]));
    // During the rotation a patient search finds rows hashed with either key.
    expect(await ordersFoundBy(patientUid)).toEqual([onA, onB].sort());
    expect(await deliveriesFoundBy(patientUid)).toBe(2);
    expect(containsText((await findDeliveryRecord((await rawDeliveries(onA))[0]?.id ?? ""))?.body ?? null, PATIENT_NAME)).toBe(true);
    expect((await loadSignatureCandidates()).candidates.map((candidate) => candidate.id)).toContain(signingSecret.id);

    const progress: number[] = [];
    const result = await rotateKeys({ batchSize: 1, onProgress: (step) => progress.push(step.bodiesSealed) });
    expect(result).toMatchObject({ currentKeyId: keyB, missingKeys: [], unreadableBodies: 0, unreadableSecrets: 0, secretsResealed: 2 });
    expect(result.bodiesSealed).toBeGreaterThanOrEqual(2);
    expect(result.patientKeysUpdated).toBeGreaterThanOrEqual(4);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const audit = await client.auditEntry.findFirstOrThrow({ where: { action: "keys.rotate" }, orderBy: { at: "desc" } });
    expect(audit).toMatchObject({ actorType: "system", actorLabel: "cli", outcome: "success" });
    expect(JSON.parse(audit.details)).toMatchObject({ currentKeyId: keyB, bodiesSealed: result.bodiesSealed, secretsResealed: 2 });

    expect((await rawDeliveries(onA)).map((row) => row.body_key_id)).toEqual([keyB]);
    expect(new Set(await patientKeysOf(onA))).toEqual(new Set([hashB]));
    expect(new Set(await patientKeysOf(onB))).toEqual(new Set([hashB]));
    expect((await keyStatus()).filter((use) => use.bodies > 0 || use.secrets > 0).map((use) => use.keyId)).toEqual([keyB]);

    // Idempotent: nothing is left to do.
    expect(await rotateKeys({ batchSize: 1 })).toMatchObject({ bodiesSealed: 0, legacyBodiesSealed: 0, patientKeysUpdated: 0, secretsResealed: 0 });

    // Last step: A is removed; everything still opens and the patient is still found.
    useKeys(KEY_B);
    expect(containsText((await findDeliveryRecord((await rawDeliveries(onA))[0]?.id ?? ""))?.body ?? null, PATIENT_NAME)).toBe(true);
    expect(await ordersFoundBy(patientUid)).toEqual([onA, onB].sort());
    expect(await deliveriesFoundBy(patientUid)).toBe(2);
    expect(await readApiKey()).toBe("rxscale_api_key_sealed_with_a");
    const stored = await client.signingSecret.findUniqueOrThrow({ where: { id: signingSecret.id } });
    expect(stored.keyId).toBe(keyB);
  });

  it("seals plaintext bodies written before bodies were sealed, and fills their patient key", async () => {
    useKeys(KEY_B);
    const orderUid = `ord-legacy-${randomUUID().slice(0, 8)}`;
    const patientUid = `pat-${randomUUID().slice(0, 8)}`;
    expect(await send(pharmacyOrderBody(orderUid, patientUid))).toBe(200);
    await worker.drain();
    const [row] = await rawDeliveries(orderUid);
    const plaintext = (await findDeliveryRecord(row?.id ?? ""))?.body;
    if (!row || !plaintext) throw new Error("no stored delivery");
    // What an upgraded database holds: the plaintext body, no key id, no patient key.
    await client.delivery.update({ where: { id: row.id }, data: { body: Buffer.from(plaintext), bodyKeyId: null, patientKey: null } });
    expect(containsText((await rawDeliveries(orderUid))[0]?.body ?? null, PATIENT_NAME)).toBe(true);
    expect(containsText((await findDeliveryRecord(row.id))?.body ?? null, PATIENT_NAME)).toBe(true);
    expect((await keyStatus()).find((use) => use.keyId === null)).toMatchObject({ state: "plaintext", bodies: 1 });

    const result = await rotateKeys();
    expect(result).toMatchObject({ bodiesSealed: 1, legacyBodiesSealed: 1 });
    const [sealed] = await rawDeliveries(orderUid);
    expect(containsText(sealed?.body ?? null, PATIENT_NAME)).toBe(false);
    expect(sealed).toMatchObject({ body_key_id: keyRing().current.id, patient_key: patientSearchKey(patientUid) });
    expect(containsText((await findDeliveryRecord(row.id))?.body ?? null, PATIENT_NAME)).toBe(true);
  });

  it("names the missing key id when a body's key is not configured, retries instead of dead-lettering, and rotation skips those rows", async () => {
    const KEY_LOST = "rotation-test-key-lost-with-at-least-32-chars";
    useKeys(KEY_LOST);
    const lostId = keyRing().current.id;
    const orderUid = `ord-lost-${randomUUID().slice(0, 8)}`;
    expect(await send(pharmacyOrderBody(orderUid, `pat-${randomUUID().slice(0, 8)}`))).toBe(200);
    const [row] = await rawDeliveries(orderUid);

    useKeys(KEY_B);
    const failure = await findDeliveryRecord(row?.id ?? "").then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AppError);
    expect(failure instanceof Error ? failure.message : "").toContain(lostId);
    expect(failure instanceof Error ? failure.message : "").toContain("RXWATCH_PREVIOUS_SECRET_KEYS");
    expect(failure instanceof Error ? failure.message : "").not.toContain(PATIENT_NAME);

    // A backoff longer than the test, so the one failed attempt stays visible.
    await createInboxWorker({ concurrency: 1, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 600_000, maxMs: 600_000 } }).drain();
    const event = await client.webhookEvent.findFirstOrThrow({ where: { orderUid }, select: { status: true, lastError: true } });
    expect(event.status).toBe("failed");
    expect(event.lastError).toContain("unreadable_body");
    expect(event.lastError).toContain(lostId);

    const result = await rotateKeys();
    expect(result.missingKeys).toEqual([{ keyId: lostId, bodies: 1 }]);
    expect((await rawDeliveries(orderUid))[0]?.body_key_id).toBe(lostId);
    expect((await keyStatus()).find((use) => use.keyId === lostId)).toMatchObject({ state: "missing", bodies: 1 });
    expect((await client.auditEntry.findFirstOrThrow({ where: { action: "keys.rotate" }, orderBy: { at: "desc" } })).outcome).toBe("failure");

    // Configuring the key again makes the body readable, and rotation moves it.
    useKeys(KEY_B, [KEY_LOST]);
    expect(await rotateKeys()).toMatchObject({ missingKeys: [], bodiesSealed: 1 });
    expect((await rawDeliveries(orderUid))[0]?.body_key_id).toBe(keyRing().current.id);
  });
});
