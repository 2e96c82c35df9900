import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getDeliveries } from "@/app/api/deliveries/route";
import { GET as getDelivery } from "@/app/api/deliveries/[id]/route";
import { POST as postReveal } from "@/app/api/deliveries/[id]/reveal/route";
import { POST as postForget } from "@/app/api/data-protection/forget-patient/route";
import { GET as getExport, POST as postExport } from "@/app/api/deliveries/export/route";
import { GET as getFailures } from "@/app/api/failures/route";
import { GET as getOrders } from "@/app/api/orders/route";
import { GET as getOrder } from "@/app/api/orders/[uid]/route";
import { GET as getStream } from "@/app/api/stream/route";
import { deliveriesPageDtoSchema, deliveryDetailDtoSchema, revealResultDtoSchema } from "@/lib/deliveries";
import type { Role } from "@/lib/roles";
import { createApiToken } from "@/server/auth/tokens";
import type { Viewer } from "@/server/auth/viewer";
import { db } from "@/server/core/db";
import { getDeliveryDetail } from "@/server/deliveries/service";
import { createInboxWorker } from "@/server/processing/worker";
import { webhookRequest } from "../fixtures/rxscale-webhooks";

/*
 * Who sees which field (issue 7, docs/data-protection.md "Who sees what"),
 * role by role and endpoint by endpoint, against the real route handlers and
 * the real audit table. Reveal expiry is checked with an injected clock.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_data_protection_test_01";
  process.env.RXWATCH_REVEAL_MINUTES = "15";
  return "whsec_data_protection_test_01";
});

/** Lets a test make the audit table unwritable for one call, as a database outage would. */
const auditOutage = vi.hoisted(() => ({ failNext: false }));
vi.mock("@/server/audit/record-audit", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/server/audit/record-audit")>();
  return {
    ...actual,
    recordAudit: (record: Parameters<typeof actual.recordAudit>[0]) => {
      if (!auditOutage.failNext) return actual.recordAudit(record);
      auditOutage.failNext = false;
      return Promise.reject(new Error("audit table unavailable"));
    },
  };
});

const PATIENT = {
  uid: "pat-4f1e9c",
  display_name: "Friederike Unverzagt",
  email: "friederike.unverzagt@example.invalid",
  date_of_birth: "1961-02-14",
};
const ADDRESS = { first_name: "Friederike", last_name: "Unverzagt", street: "Kastanienallee", house_number: "77b", zip_code: "10435", city: "Berlin", country: "Germany", additional_address: null };
const MEDICATION = { pzn: "17439581", product_uid: "prod-ozempic", product_display_name: "Semaglutid 1 mg Injektionslösung", product_handle: "semaglutid-1mg" };
/** What must never reach a viewer who has not revealed the delivery. */
const PERSONAL = [PATIENT.uid, PATIENT.display_name, PATIENT.email, PATIENT.date_of_birth, "Unverzagt", "Kastanienallee", "10435", MEDICATION.pzn, MEDICATION.product_display_name, MEDICATION.product_handle];

function expectNothingPersonal(text: string, where: string): void {
  for (const value of PERSONAL) expect(text, `${where} carries ${value}`).not.toContain(value);
}

const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 100 } });
const tokens = {} as Record<Role | "support2", { secret: string; viewer: Viewer }>;

beforeAll(async () => {
  for (const [name, role] of [["staff", "staff"], ["support", "support"], ["support2", "support"], ["admin", "admin"]] as const) {
    const created = await createApiToken({ name: `data-protection ${name}`, role }, null);
    tokens[name] = { secret: created.secret, viewer: { via: "token", tokenId: created.token.id, name: created.token.name, role } };
  }
});

beforeEach(() => {
  auditOutage.failNext = false;
});

let clock = 1_800_000_000;
const ackSchema = z.object({ event_id: z.string() });

/** A pharmacy order (docs/rxscale.md#example-pharmacy-order) for the patient above; returns the order uid. */
async function sendOrder(): Promise<string> {
  const orderUid = `ord-${randomUUID().slice(0, 8)}`;
  const data = {
    uid: `po-${orderUid}`,
    status: "waiting for pharmacy",
    name: `#${orderUid.slice(-4)}`,
    updated_at: (clock += 60),
    pharmacy: { uid: "ph-dp", display_name: "Apotheke am Kollwitzplatz" },
    order: { uid: orderUid, delivery_address: ADDRESS, invoice_address: ADDRESS },
    order_items: [{ sku: MEDICATION, pharmacy_sku: { uid: "psku-dp", external_id: "PMS-1", price: 18990, stock: 3 } }],
    patient_data: PATIENT,
  };
  const response = await postWebhook(webhookRequest(JSON.stringify({ event_type: "pharmacy_order_created", timestamp: clock, payload_version: "1", data }), { secret: SECRET }));
  expect(response.status).toBe(200);
  ackSchema.parse(await response.json());
  await worker.drain();
  return orderUid;
}

function request(path: string, who: keyof typeof tokens, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${tokens[who].secret}`);
  if (init.body) headers.set("content-type", "application/json");
  return new Request(`http://rxwatch.test${path}`, { ...init, headers });
}

const noParams = { params: Promise.resolve({}) };

async function deliveryIdOf(orderUid: string): Promise<string> {
  const response = await getDeliveries(request(`/api/deliveries?order=${orderUid}`, "support"), noParams);
  const id = deliveriesPageDtoSchema.parse(await response.json()).deliveries[0]?.id;
  if (!id) throw new Error("no delivery");
  return id;
}

async function detailAs(who: keyof typeof tokens, id: string) {
  const response = await getDelivery(request(`/api/deliveries/${id}`, who), { params: Promise.resolve({ id }) });
  const text = await response.text();
  return { status: response.status, text, body: response.status === 200 ? deliveryDetailDtoSchema.parse(JSON.parse(text)) : null };
}

async function revealAs(who: keyof typeof tokens, id: string, reason: string) {
  const response = await postReveal(request(`/api/deliveries/${id}/reveal`, who, { method: "POST", body: JSON.stringify({ reason }) }), { params: Promise.resolve({ id }) });
  return { status: response.status, json: z.unknown().parse(await response.json()) };
}

async function auditRows(action: string) {
  return (await db()).auditEntry.findMany({ where: { action }, orderBy: [{ at: "asc" }, { id: "asc" }] });
}

/** Opens the live stream, runs `trigger`, and reads frames until one names `key()`; returns all text read. */
async function readStreamUntil(who: keyof typeof tokens, key: () => string, trigger: () => Promise<unknown>): Promise<string> {
  const controller = new AbortController();
  const response = await getStream(new Request("http://rxwatch.test/api/stream", { headers: { authorization: `Bearer ${tokens[who].secret}` }, signal: controller.signal }), noParams);
  expect(response.status).toBe(200);
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no stream");
  await reader.read();
  await trigger();
  let text = "";
  while (!text.includes(`"key":"${key()}"`)) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  return text;
}

describe("staff", () => {
  it("get orders, traces and the live stream with identifiers and statuses only, and nothing of the deliveries list", async () => {
    const orderUid = await sendOrder();
    const deliveryId = await deliveryIdOf(orderUid);

    const orders = await getOrders(request(`/api/orders?q=${orderUid}`, "staff"), noParams);
    expect(orders.status).toBe(200);
    const ordersText = await orders.text();
    expect(ordersText).toContain(orderUid);
    expectNothingPersonal(ordersText, "the orders list");

    const trace = await getOrder(request(`/api/orders/${orderUid}`, "staff"), { params: Promise.resolve({ uid: orderUid }) });
    expect(trace.status).toBe(200);
    const traceText = await trace.text();
    expect(traceText).toContain(`po-${orderUid}`);
    expectNothingPersonal(traceText, "the order trace");

    let next = "";
    const streamed = await readStreamUntil("staff", () => next, async () => {
      next = await sendOrder();
    });
    expectNothingPersonal(streamed, "the live stream");
    // Every notice is an id and a kind, nothing more.
    for (const line of streamed.split("\n").filter((candidate) => candidate.startsWith("data: "))) {
      expect(Object.keys(z.record(z.string(), z.unknown()).parse(JSON.parse(line.slice(6)))).sort()).toEqual(["key", "kind"]);
    }

    const refused: [string, Response][] = [
      ["list", await getDeliveries(request("/api/deliveries", "staff"), noParams)],
      ["detail", await getDelivery(request(`/api/deliveries/${deliveryId}`, "staff"), { params: Promise.resolve({ id: deliveryId }) })],
      ["reveal", await postReveal(request(`/api/deliveries/${deliveryId}/reveal`, "staff", { method: "POST", body: JSON.stringify({ reason: "I would like to see it please" }) }), { params: Promise.resolve({ id: deliveryId }) })],
      ["export", await getExport(request("/api/deliveries/export?bodies=1", "staff"), noParams)],
      ["unmasked export", await postExport(request("/api/deliveries/export", "staff", { method: "POST", body: JSON.stringify({ reason: "I would like to see it please", filters: {} }) }), noParams)],
      ["failures", await getFailures(request("/api/failures", "staff"), noParams)],
    ];
    for (const [name, response] of refused) {
      expect(response.status, name).toBe(403);
      expectNothingPersonal(await response.text(), name);
    }
    expect(await auditRows("delivery.reveal")).toEqual([]);
  });
});

describe("support", () => {
  it("see bodies masked in the detail, with what was masked and by which category, and may reveal", async () => {
    const id = await deliveryIdOf(await sendOrder());
    const { status, text, body } = await detailAs("support", id);
    expect(status).toBe(200);
    expectNothingPersonal(text, "the masked detail");
    if (body?.body.kind !== "json") throw new Error("not json");
    expect(body.body.text).toContain('"display_name": "Apotheke am Kollwitzplatz"');
    expect(body.body.text).toContain('"display_name": "‹name›"');
    expect(body.personalData).toMatchObject({ masked: true, revealExpiresAt: null, canReveal: true });
    expect(body.personalData.maskedPaths).toEqual(
      expect.arrayContaining([
        { path: "data.patient_data.display_name", category: "name" },
        { path: "data.patient_data.email", category: "contact" },
        { path: "data.patient_data.date_of_birth", category: "birth_date" },
        { path: "data.order.delivery_address.street", category: "address" },
        { path: "data.order_items[].sku.product_display_name", category: "medication" },
      ]),
    );
  });

  it("export bodies only masked, and only when asked for", async () => {
    const orderUid = await sendOrder();
    const metadata = await getExport(request(`/api/deliveries/export?order=${orderUid}&format=ndjson`, "support"), noParams);
    const metadataText = await metadata.text();
    expect(metadataText).not.toContain('"body"');
    expectNothingPersonal(metadataText, "the metadata export");

    const withBodies = await getExport(request(`/api/deliveries/export?order=${orderUid}&format=ndjson&bodies=1`, "support"), noParams);
    const line = z.object({ body: z.string() }).parse(JSON.parse((await withBodies.text()).trim()));
    expectNothingPersonal(line.body, "the masked export");
    expect(JSON.parse(line.body)).toMatchObject({ data: { uid: `po-${orderUid}`, patient_data: { display_name: "‹name›" } } });
    expect((await getExport(request(`/api/deliveries/export?order=${orderUid}&bodies=1&reason=because+I+want+it+all`, "support"), noParams)).headers.get("content-disposition")).not.toContain("unmasked");

    const refused = await postExport(request("/api/deliveries/export", "support", { method: "POST", body: JSON.stringify({ reason: "a support person wants it all", filters: { order: orderUid } }) }), noParams);
    expect(refused.status).toBe(403);
  });
});

describe("reveal", () => {
  it("shows one delivery unmasked to the one viewer who gave a reason, audits it with the reason, and masks it again when the grant expires", async () => {
    const id = await deliveryIdOf(await sendOrder());
    const other = await deliveryIdOf(await sendOrder());
    const before = Date.now();
    const reason = "  Patient called about a missing parcel, ticket 4711  ";
    const revealed = await revealAs("support", id, reason);
    expect(revealed.status).toBe(201);
    const { expiresAt } = revealResultDtoSchema.parse(revealed.json);
    expect(Date.parse(expiresAt) - before).toBeGreaterThanOrEqual(15 * 60_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    const shown = await detailAs("support", id);
    expect(shown.text).toContain(PATIENT.display_name);
    expect(shown.text).toContain(MEDICATION.product_display_name);
    expect(shown.body?.personalData).toMatchObject({ masked: false, maskedPaths: [], revealExpiresAt: expiresAt });
    // Only for this viewer, and only this delivery.
    expectNothingPersonal((await detailAs("support2", id)).text, "another support person's detail");
    expectNothingPersonal((await detailAs("admin", id)).text, "an admin's detail");
    expectNothingPersonal((await detailAs("support", other)).text, "another delivery's detail");

    const [entry, ...more] = await auditRows("delivery.reveal");
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ actorType: "api_token", actorId: tokens.support.viewer.via === "token" ? tokens.support.viewer.tokenId : "", actorRole: "support", outcome: "success", targetType: "delivery", targetId: id, reason: reason.trim() });
    expectNothingPersonal(JSON.stringify(entry), "the audit entry");

    // The grant's last moment and the first after it, on an injected clock.
    const expiry = new Date(expiresAt);
    const lastMoment = await getDeliveryDetail(id, tokens.support.viewer, new Date(expiry.getTime() - 1));
    expect(lastMoment.personalData.masked).toBe(false);
    const afterwards = await getDeliveryDetail(id, tokens.support.viewer, expiry);
    expect(afterwards.personalData).toMatchObject({ masked: true, revealExpiresAt: null });
    expectNothingPersonal(JSON.stringify(afterwards), "the detail after expiry");
  });

  it("needs a reason of at least 10 characters and at most 500, and a delivery that exists; refusals grant nothing", async () => {
    const id = await deliveryIdOf(await sendOrder());
    const auditsBefore = (await auditRows("delivery.reveal")).length;
    expect((await revealAs("support", id, "   because   ")).status).toBe(400);
    expect((await revealAs("support", id, "x".repeat(501))).status).toBe(400);
    expect((await revealAs("support", "no-such-delivery", "a good reason to look")).status).toBe(404);
    expect((await auditRows("delivery.reveal")).length).toBe(auditsBefore);
    expect((await detailAs("support", id)).body?.personalData.masked).toBe(true);
  });

  it("needs a reason that names something: one repeated character or a single word is refused, for reveals, unmasked exports and erasures alike", async () => {
    const id = await deliveryIdOf(await sendOrder());
    const auditsBefore = (await auditRows("delivery.reveal")).length;
    for (const reason of ["aaaaaaaaaa", "aaaaa aaaaa", "..........", "1234567890", "because!!!!"]) {
      const refused = await revealAs("support", id, reason);
      expect(refused.status, reason).toBe(400);
      expect(JSON.stringify(refused.json)).toContain("Name the reason in words");
    }
    const exportRefused = await postExport(request("/api/deliveries/export", "admin", { method: "POST", body: JSON.stringify({ reason: "zzzzzzzzzzzz", filters: {} }) }), noParams);
    expect(exportRefused.status).toBe(400);
    const forgetRefused = await postForget(request("/api/data-protection/forget-patient", "admin", { method: "POST", body: JSON.stringify({ patientUid: "pat-nobody", reason: "xxx" }) }), noParams);
    expect(forgetRefused.status).toBe(400);
    expect((await auditRows("delivery.reveal")).length).toBe(auditsBefore);
    expect((await auditRows("deliveries.export")).filter((row) => row.reason === "zzzzzzzzzzzz")).toEqual([]);
    expect((await detailAs("support", id)).body?.personalData.masked).toBe(true);
  });

  it("does not happen when it cannot be audited", async () => {
    const id = await deliveryIdOf(await sendOrder());
    auditOutage.failNext = true;
    expect((await revealAs("admin", id, "checking the address for the courier")).status).toBe(500);
    expectNothingPersonal((await detailAs("admin", id)).text, "the detail after an unaudited reveal");
  });
});

describe("admin exports", () => {
  it("have unmasked bodies with a reason, audited with the reason before the first row, and masked bodies without one", async () => {
    const orderUid = await sendOrder();
    const reason = "Data subject access request DSAR-2026-17";
    const response = await postExport(request("/api/deliveries/export", "admin", { method: "POST", body: JSON.stringify({ reason, filters: { order: orderUid, format: "ndjson" } }) }), noParams);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/-unmasked\.ndjson"$/);
    // Nothing read yet, and the export is already on record with its reason.
    const started = await auditRows("deliveries.export");
    expect(started.at(-1)).toMatchObject({ actorRole: "admin", reason, details: expect.stringContaining('"result":"started"') });
    expect(started.at(-1)?.details).toContain('"masked":false');
    const text = await response.text();
    expect(text).toContain(PATIENT.display_name);
    expect(text).toContain(MEDICATION.product_display_name);
    const ended = await auditRows("deliveries.export");
    expect(ended.at(-1)).toMatchObject({ reason, details: expect.stringContaining('"result":"completed"') });
    expect(ended.at(-1)?.details).toContain('"rows":1');
    expectNothingPersonal(ended.map((row) => row.details).join(), "the export audit details");

    const masked = await getExport(request(`/api/deliveries/export?order=${orderUid}&bodies=1`, "admin"), noParams);
    expectNothingPersonal(await masked.text(), "an admin's export without a reason");
    expect((await auditRows("deliveries.export")).at(-1)).toMatchObject({ reason: null, details: expect.stringContaining('"masked":true') });

    const tooShort = await postExport(request("/api/deliveries/export", "admin", { method: "POST", body: JSON.stringify({ reason: "dsar", filters: {} }) }), noParams);
    expect(tooShort.status).toBe(400);
  });

  it("do not start when they cannot be audited", async () => {
    const orderUid = await sendOrder();
    const auditsBefore = (await auditRows("deliveries.export")).length;
    auditOutage.failNext = true;
    const response = await postExport(request("/api/deliveries/export", "admin", { method: "POST", body: JSON.stringify({ reason: "Data subject access request DSAR-2026-18", filters: { order: orderUid } }) }), noParams);
    expect(response.status).toBe(500);
    expectNothingPersonal(await response.text(), "a refused export");
    expect((await auditRows("deliveries.export")).length).toBe(auditsBefore);
  });
});
