import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startTestEmulator, startWebhookReceiver, type WebhookReceiver } from "@/tests/support/emulator";
import type { RunningEmulator } from "./emulator";

/* The orders and prescriptions read endpoints and the drop faults, over HTTP. */

const ORDERS_KEY = "orders-key";
const ORDERS_ONLY_KEY = "orders-without-prescriptions-key";
const SUBSCRIPTIONS_KEY = "subscriptions-only-key";

let emulator: RunningEmulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  emulator = await startTestEmulator({
    apiKeys: [
      { key: ORDERS_KEY, permissions: ["order:read", "prescription:read"] },
      { key: ORDERS_ONLY_KEY, permissions: ["order:read"] },
      { key: SUBSCRIPTIONS_KEY, permissions: ["notification_subscription:read"] },
    ],
    rateLimitPerSecond: 10_000,
    rateLimitPerMinute: 100_000,
    seed: 15,
  });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});

async function get(path: string, key: string = ORDERS_KEY) {
  const response = await fetch(`${emulator.url}/v1/management${path}`, { headers: { "x-api-key": key } });
  return { status: response.status, json: (await response.json()) as unknown };
}

const entitySchema = z.object({ uid: z.string(), status: z.string(), updated_at: z.number() });
const orderSchema = entitySchema.extend({ created_at: z.number(), prescriptions: z.array(entitySchema).optional(), pharmacy_orders: z.array(entitySchema) });
const pageSchema = z.object({ orders: z.array(orderSchema), page: z.number(), total: z.number(), pages: z.number() });

describe("orders API", () => {
  it("serves every generated order, also those whose deliveries were dropped, in pages", async () => {
    emulator.setDrops({ rate: 0.5 });
    emulator.burst(120);
    emulator.setDrops({ rate: 0 });
    expect(emulator.state().drops.dropped).toBeGreaterThan(0);
    const seen = new Set<string>();
    const first = pageSchema.parse((await get("/orders?page=1&limit=7")).json);
    expect(first.total).toBe(emulator.orderBook.size);
    for (let page = 1; page <= first.pages; page += 1) {
      for (const order of pageSchema.parse((await get(`/orders/?page=${page}&limit=7`)).json).orders) seen.add(order.uid);
    }
    expect(seen.size).toBe(emulator.orderBook.size);
  });

  it("filters by updated_at and by the shop order name", async () => {
    const all = pageSchema.parse((await get("/orders?limit=100")).json).orders;
    const newest = Math.max(...all.map((order) => order.updated_at));
    const recent = pageSchema.parse((await get(`/orders?limit=100&updated_at_from=${new Date(newest * 1000).toISOString()}`)).json);
    expect(recent.orders.length).toBeGreaterThan(0);
    expect(recent.orders.every((order) => order.updated_at >= newest)).toBe(true);
    const target = emulator.orderBook.list()[0];
    const byName = pageSchema.parse((await get(`/orders?shop_order_external_id=${encodeURIComponent(target?.name ?? "")}`)).json);
    expect(byName.orders.map((order) => order.uid)).toEqual([target?.uid]);
  });

  it("reads one order with its prescriptions only for a key with prescription:read, and one prescription", async () => {
    const withPrescription = emulator.orderBook.list().find((order) => order.prescriptions.size > 0);
    if (!withPrescription) throw new Error("the burst made no prescription");
    const full = orderSchema.parse((await get(`/orders/${withPrescription.uid}`)).json);
    expect(full.prescriptions?.length).toBe(withPrescription.prescriptions.size);
    const partial = orderSchema.parse((await get(`/orders/${withPrescription.uid}/`, ORDERS_ONLY_KEY)).json);
    expect(partial.prescriptions).toBeUndefined();
    const [prescriptionUid] = withPrescription.prescriptions.keys();
    expect((await get(`/prescriptions/${prescriptionUid ?? ""}`)).json).toMatchObject({ uid: prescriptionUid, order: { uid: withPrescription.uid } });
    expect((await get("/orders/ord-none")).status).toBe(404);
  });

  it("answers 403 without order:read or prescription:read, and 401 without a key", async () => {
    expect((await get("/orders", SUBSCRIPTIONS_KEY)).status).toBe(403);
    expect((await get("/prescriptions/px-1", ORDERS_ONLY_KEY)).status).toBe(403);
    expect((await get("/orders", "wrong")).status).toBe(401);
    expect((await get("/orders?limit=1000")).status).toBe(400);
  });

  it("answers 429 with Retry-After beyond the rate limit", async () => {
    const limited = await startTestEmulator({ apiKeys: [{ key: ORDERS_KEY, permissions: ["order:read"] }], rateLimitPerSecond: 2, rateLimitPerMinute: 600 });
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 4; index += 1) statuses.push((await fetch(`${limited.url}/v1/management/orders`, { headers: { "x-api-key": ORDERS_KEY } })).status);
      expect(statuses).toContain(429);
    } finally {
      await limited.stop();
    }
  });
});

describe("drop faults", () => {
  it("never sends any event of the dropped type, while its order still moves on in the orders API", async () => {
    const type = emulator.config.resolvedEventNames.orderCreated;
    for (const key of Object.values(emulator.config.resolvedEventNames)) emulator.subscribe({ notification_type: key, target: receiver.url });
    emulator.setDrops({ eventType: type });
    const before = emulator.orderBook.size;
    emulator.burst(40);
    emulator.setDrops({ eventType: null });
    await new Promise<void>((resolve) => setImmediate(resolve));
    const sent = emulator.deliveries({ limit: 1_000 });
    expect(sent.filter((delivery) => delivery.event_type === type)).toEqual([]);
    expect(sent.length).toBeGreaterThan(0);
    expect(emulator.orderBook.size).toBeGreaterThan(before);
  });
});
