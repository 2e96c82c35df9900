import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getOrders } from "@/app/api/orders/route";
import { GET as getOrder } from "@/app/api/orders/[uid]/route";
import { GET as getStream } from "@/app/api/stream/route";
import { createInboxWorker } from "@/server/processing/worker";
import { createApiToken } from "@/server/auth/tokens";
import { updateSettings } from "@/server/settings/settings";
import { webhookRequest } from "../fixtures/rxscale-webhooks";

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_orders_test_secret_01";
  return "whsec_orders_test_secret_01";
});
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 100 } });
let staffToken = "";
let supportToken = "";

beforeAll(async () => {
  staffToken = (await createApiToken({ name: "staff", role: "staff" }, null)).secret;
  supportToken = (await createApiToken({ name: "support", role: "support" }, null)).secret;
});

let clock = 1_800_000_000;
/** Sends one signed event through the real webhook route. */
async function send(eventType: string, data: Record<string, unknown>, at = (clock += 60)): Promise<void> {
  const body = JSON.stringify({ event_type: eventType, timestamp: at, payload_version: "1", data: { updated_at: at, ...data } });
  const response = await postWebhook(webhookRequest(body, { secret: SECRET }));
  expect(response.status).toBe(200);
}

function pharmacyOrder(orderUid: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    uid: `po-${orderUid}`,
    status,
    name: `#${orderUid.slice(-4)}`,
    pharmacy: { uid: "ph-1", display_name: "Apotheke am Markt" },
    order: { uid: orderUid, delivery_address: { first_name: "Erika", last_name: "Beispiel" } },
    patient_data: { uid: `pat-${orderUid}`, display_name: "Erika Beispiel", email: "erika@example.invalid", date_of_birth: "1985-06-30" },
    ...extra,
  };
}

async function api(handler: typeof getOrders, path: string, token = staffToken): Promise<Response> {
  return handler(new Request(`http://rxwatch.test${path}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
}

async function trace(orderUid: string, token = staffToken) {
  const response = await getOrder(new Request(`http://rxwatch.test/api/orders/${orderUid}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ uid: orderUid }) });
  return { status: response.status, body: await response.json() };
}

describe("orders from webhooks", () => {
  it("walks an order through its lifecycle, one step per event", async () => {
    const uid = "ord-walk-0001";
    await send("order_created", { uid, status: "waiting for doctor" });
    await send("prescription_approved", { uid: "px-walk", order: { uid } });
    await send("prescription_signed", { uid: "px-walk", order: { uid } });
    await worker.drain();
    expect((await trace(uid)).body.order.stage).toBe("prescription_signed");
    for (const status of ["waiting for pharmacy", "pending review", "in-progress", "ready_for_pickup", "completed"]) {
      await send(status === "waiting for pharmacy" ? "pharmacy_order_created" : "pharmacy_order_updated", pharmacyOrder(uid, status));
    }
    await worker.drain();
    const { body } = await trace(uid);
    expect(body.order).toMatchObject({ stage: "completed", status: "completed", pharmacyName: "Apotheke am Markt", shopOrderName: "#0001", gaps: [] });
    expect(body.timeline.map((step: { state: string }) => step.state)).toEqual(Array(7).fill("received"));
    expect(JSON.stringify(body)).not.toMatch(/Erika|Beispiel|1985-06-30|erika@/);
  });

  it("keeps a late stale event in the timeline as superseded without moving the order back", async () => {
    const uid = "ord-late-0002";
    await send("pharmacy_order_created", pharmacyOrder(uid, "waiting for pharmacy"), 1_800_100_000);
    await send("pharmacy_order_updated", pharmacyOrder(uid, "ready_for_pickup"), 1_800_100_300);
    await worker.drain();
    await send("pharmacy_order_updated", pharmacyOrder(uid, "in-progress"), 1_800_100_200);
    await worker.drain();
    const { body } = await trace(uid);
    expect(body.order.stage).toBe("shipped");
    const late = body.events.find((event: { status: string }) => event.status === "in-progress");
    expect(late.isSuperseded).toBe(true);
    expect(body.order.gaps).toEqual(["ordered", "prescription_approved", "prescription_signed"]);
  });

  it("lists, filters, searches and pages orders, with counts per stage", async () => {
    for (let index = 0; index < 5; index++) await send("pharmacy_order_created", pharmacyOrder(`ord-list-${index}`, index % 2 ? "in-progress" : "waiting for pharmacy"));
    await worker.drain();
    const all = await (await api(getOrders, "/api/orders?limit=3")).json();
    expect(all.orders).toHaveLength(3);
    expect(all.nextCursor).toEqual(expect.any(String));
    const next = await (await api(getOrders, `/api/orders?limit=3&cursor=${all.nextCursor}`)).json();
    const seen = new Set([...all.orders, ...next.orders].map((order: { orderUid: string }) => order.orderUid));
    expect(seen.size).toBe(all.orders.length + next.orders.length);
    expect(all.stageCounts.sent_to_pharmacy).toBeGreaterThanOrEqual(3);

    const inPharmacy = await (await api(getOrders, "/api/orders?stage=in_pharmacy")).json();
    expect(inPharmacy.orders.every((order: { stage: string }) => order.stage === "in_pharmacy")).toBe(true);
    expect(inPharmacy.orders.map((order: { orderUid: string }) => order.orderUid)).toEqual(expect.arrayContaining(["ord-list-1", "ord-list-3"]));

    for (const q of ["ord-list-2", "po-ord-list-2", "#st-2", "pat-ord-list-2"]) {
      const found = await (await api(getOrders, `/api/orders?q=${encodeURIComponent(q)}`)).json();
      expect(found.orders.map((order: { orderUid: string }) => order.orderUid), q).toEqual(["ord-list-2"]);
    }
  });

  it("marks orders stuck after their stage's budget and finds them with the stuck filter", async () => {
    await updateSettings("stuckThresholds", { waitingForPharmacyHours: 1 }, null);
    const oldAt = Math.floor(Date.now() / 1000) - 3 * 3600;
    await send("pharmacy_order_created", pharmacyOrder("ord-stuck-1", "waiting for pharmacy"), oldAt);
    await worker.drain();
    const stuck = await (await api(getOrders, "/api/orders?stuck=1")).json();
    const order = stuck.orders.find((item: { orderUid: string }) => item.orderUid === "ord-stuck-1");
    expect(order).toMatchObject({ isStuck: true, expectedNext: expect.stringContaining("pharmacy") });
    expect(stuck.orders.every((item: { isStuck: boolean }) => item.isStuck)).toBe(true);
  });

  it("shows deliveries and attempts to support but not to staff", async () => {
    const uid = "ord-roles-1";
    await send("pharmacy_order_created", pharmacyOrder(uid, "waiting for pharmacy"));
    await worker.drain();
    const staff = await trace(uid);
    expect(staff.body.events[0].deliveries).toEqual([]);
    // The trace never carries the patient uid: only its keyed hash is stored.
    expect(JSON.stringify(staff.body)).not.toContain("patient");
    const support = await trace(uid, supportToken);
    expect(support.body.events[0].deliveries[0]).toMatchObject({ outcome: "accepted", httpStatus: 200 });
    // The verifying secret is named as Settings shows it, not by its id.
    expect(support.body.events[0].deliveries[0].matchedSecretLabel).toBe("Entry 1 of RXSCALE_SIGNING_SECRETS");
    expect(support.body.events[0].attempts[0]).toMatchObject({ outcome: "succeeded" });
    expect((await trace("ord-does-not-exist")).status).toBe(404);
  });

  it("streams change notices and resumes after Last-Event-ID", async () => {
    const controller = new AbortController();
    const response = await getStream(new Request("http://rxwatch.test/api/stream", { headers: { authorization: `Bearer ${staffToken}` }, signal: controller.signal }), { params: Promise.resolve({}) });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    await reader.read();
    await send("pharmacy_order_created", pharmacyOrder("ord-live-1", "waiting for pharmacy"));
    await worker.drain();
    let text = "";
    while (!text.includes("ord-live-1")) text += new TextDecoder().decode((await reader.read()).value);
    const id = /id: (\d+)\nevent: change\ndata: \{"kind":"order","key":"ord-live-1"\}/.exec(text)?.[1];
    expect(id).toBeDefined();
    controller.abort();

    await send("pharmacy_order_updated", pharmacyOrder("ord-live-1", "in-progress"));
    await worker.drain();
    const resumed = await getStream(new Request("http://rxwatch.test/api/stream", { headers: { authorization: `Bearer ${staffToken}`, "last-event-id": id ?? "" } }), { params: Promise.resolve({}) });
    const resumedReader = resumed.body?.getReader();
    if (!resumedReader) throw new Error("no body");
    let replay = "";
    while (!replay.includes("ord-live-1")) replay += new TextDecoder().decode((await resumedReader.read()).value);
    expect(replay).toContain('"key":"ord-live-1"');
    await resumedReader.cancel();
  });

  it("refuses the stream and the API without credentials", async () => {
    expect((await getStream(new Request("http://rxwatch.test/api/stream"), { params: Promise.resolve({}) })).status).toBe(401);
    expect((await getOrders(new Request("http://rxwatch.test/api/orders"), { params: Promise.resolve({}) })).status).toBe(401);
  });
});
