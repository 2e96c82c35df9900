import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getOrders } from "@/app/api/orders/route";
import { GET as getQueue } from "@/app/api/orders/attention/route";
import { POST as postAttention } from "@/app/api/orders/[uid]/attention/route";
import { attentionQueueDtoSchema, attentionStateDtoSchema } from "@/lib/attention";
import { ordersPageDtoSchema } from "@/lib/orders";
import { createInboxWorker } from "@/server/processing/worker";
import { createApiToken } from "@/server/auth/tokens";
import { db } from "@/server/core/db";
import { updateSettings } from "@/server/settings/settings";
import { webhookRequest } from "../fixtures/rxscale-webhooks";

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_attention_test_secret_01";
  return "whsec_attention_test_secret_01";
});
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 100 } });
/** RxScale's problem statuses of a patient order (docs/rxscale.md#status-values). */
const PROBLEM_STATUSES = ["waiting for manual input", "waiting for payment", "out of stock", "pharmacy not found", "prescription not found"];
const HOUR = 3600;
let staffToken = "";
let otherStaffToken = "";

beforeAll(async () => {
  staffToken = (await createApiToken({ name: "queue-staff", role: "staff" }, null)).secret;
  otherStaffToken = (await createApiToken({ name: "other-staff", role: "staff" }, null)).secret;
  await updateSettings("stuckThresholds", { needsAttentionHours: 2 }, null);
});

async function send(eventType: string, data: Record<string, unknown>, at: number): Promise<void> {
  const body = JSON.stringify({ event_type: eventType, timestamp: at, payload_version: "1", data: { updated_at: at, ...data } });
  expect((await postWebhook(webhookRequest(body, { secret: SECRET }))).status).toBe(200);
}

function get(handler: typeof getOrders, path: string, token = staffToken): Promise<Response> {
  return handler(new Request(`http://rxwatch.test${path}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
}

function act(orderUid: string, body: unknown, token = staffToken): Promise<Response> {
  const request = new Request(`http://rxwatch.test/api/orders/${orderUid}/attention`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return postAttention(request, { params: Promise.resolve({ uid: orderUid }) });
}

async function queue(token = staffToken) {
  const response = await get(getQueue, "/api/orders/attention", token);
  expect(response.status).toBe(200);
  return attentionQueueDtoSchema.parse(await response.json());
}

const uidsOf = (items: readonly { order: { orderUid: string } }[]) => items.map((item) => item.order.orderUid);
const now = () => Math.floor(Date.now() / 1000);

describe("problem statuses", () => {
  it("puts an order in each problem status under Needs attention, and makes it stuck after the stage's budget", async () => {
    for (const [index, status] of PROBLEM_STATUSES.entries()) {
      await send("order_created", { uid: `ord-fresh-${index}`, status: "waiting for doctor" }, now() - 10 * 60);
      await send("order_updated", { uid: `ord-fresh-${index}`, status }, now() - 5 * 60);
      await send("order_created", { uid: `ord-old-${index}`, status: "waiting for doctor" }, now() - 4 * HOUR);
      await send("order_updated", { uid: `ord-old-${index}`, status }, now() - 3 * HOUR);
    }
    await worker.drain();

    const attention = ordersPageDtoSchema.parse(await (await get(getOrders, "/api/orders?stage=needs_attention&limit=200")).json());
    const byUid = new Map(attention.orders.map((order) => [order.orderUid, order]));
    for (const [index, status] of PROBLEM_STATUSES.entries()) {
      expect(byUid.get(`ord-fresh-${index}`), status).toMatchObject({ stage: "needs_attention", status, isStuck: false });
      expect(byUid.get(`ord-old-${index}`), status).toMatchObject({ stage: "needs_attention", status, isStuck: true });
    }
    const stuck = ordersPageDtoSchema.parse(await (await get(getOrders, "/api/orders?stuck=1&limit=200")).json());
    expect(uidsOf(stuck.orders.map((order) => ({ order }))).filter((uid) => uid.startsWith("ord-old-")).sort()).toEqual(PROBLEM_STATUSES.map((_, index) => `ord-old-${index}`).sort());

    const { open } = await queue();
    for (const index of PROBLEM_STATUSES.keys()) expect(uidsOf(open)).toEqual(expect.arrayContaining([`ord-fresh-${index}`, `ord-old-${index}`]));
    // Longest-waiting problem first.
    expect(uidsOf(open).indexOf("ord-old-0")).toBeLessThan(uidsOf(open).indexOf("ord-fresh-0"));
  });

  it("queues an order stuck on the main path, and leaves a moving one out", async () => {
    await updateSettings("stuckThresholds", { waitingForPharmacyHours: 1 }, null);
    await send("order_created", { uid: "ord-path-stuck", status: "waiting for pharmacy" }, now() - 3 * HOUR);
    await send("order_created", { uid: "ord-path-moving", status: "waiting for pharmacy" }, now() - 60);
    await worker.drain();
    const { open } = await queue();
    expect(uidsOf(open)).toContain("ord-path-stuck");
    expect(uidsOf(open)).not.toContain("ord-path-moving");
  });
});

describe("attention queue", () => {
  const uid = "ord-queue-1";

  it("claims, notes, snoozes and resolves, each audited and announced live", async () => {
    await send("order_created", { uid, status: "waiting for doctor" }, now() - 120);
    await send("order_updated", { uid, status: "out of stock" }, now() - 60);
    await worker.drain();
    const noticesBefore = await (await db()).changeNotice.count({ where: { key: uid } });

    const claimed = attentionStateDtoSchema.parse(await (await act(uid, { action: "claim" })).json());
    expect(claimed).toMatchObject({ ownerLabel: "API token queue-staff", isMine: true });
    const seenByOther = (await queue(otherStaffToken)).open.find((item) => item.order.orderUid === uid);
    expect(seenByOther?.attention).toMatchObject({ ownerLabel: "API token queue-staff", isMine: false });

    expect((await act(uid, { action: "note", note: "Asked the pharmacy for a restock date" })).status).toBe(200);
    expect((await queue()).open.find((item) => item.order.orderUid === uid)?.attention).toMatchObject({ note: "Asked the pharmacy for a restock date", notedBy: "API token queue-staff" });

    const until = new Date(Date.now() + 2 * HOUR * 1000).toISOString();
    expect((await act(uid, { action: "snooze", until })).status).toBe(200);
    const snoozed = await queue();
    expect(uidsOf(snoozed.open)).not.toContain(uid);
    expect(snoozed.snoozed.find((item) => item.order.orderUid === uid)).toMatchObject({ isSnoozed: true, attention: { snoozedUntil: until } });

    expect((await act(uid, { action: "resolve" })).status).toBe(200);
    const resolved = await queue();
    expect([...uidsOf(resolved.open), ...uidsOf(resolved.snoozed)]).not.toContain(uid);

    const actions = (await (await db()).auditEntry.findMany({ where: { targetId: uid }, orderBy: { at: "asc" } })).map((entry) => entry.action);
    expect(actions).toEqual(["attention.claim", "attention.note", "attention.snooze", "attention.resolve"]);
    const audited = await (await db()).auditEntry.findMany({ where: { targetId: uid } });
    expect(JSON.stringify(audited)).not.toContain("restock");
    expect(await (await db()).changeNotice.count({ where: { key: uid } })).toBe(noticesBefore + 4);
  });

  it("puts a resolved order back when a new problem arrives", async () => {
    await send("order_updated", { uid, status: "pharmacy not found" }, now() - 30);
    await worker.drain();
    const item = (await queue()).open.find((entry) => entry.order.orderUid === uid);
    expect(item).toMatchObject({ order: { status: "pharmacy not found" }, attention: { ownerLabel: "API token queue-staff" } });
  });

  it("answers bad requests with 4xx and changes nothing", async () => {
    expect((await act(uid, { action: "escalate" })).status).toBe(400);
    expect((await act(uid, { action: "note", note: "Patient is erika@example.invalid" })).status).toBe(400);
    expect((await act(uid, { action: "note", note: "born 1985-06-30" })).status).toBe(400);
    expect((await act(uid, { action: "note", note: "x".repeat(501) })).status).toBe(400);
    expect((await act(uid, { action: "snooze", until: new Date(Date.now() - 1000).toISOString() })).status).toBe(400);
    expect((await act(uid, { action: "snooze", until: new Date(Date.now() + 40 * 86_400_000).toISOString() })).status).toBe(400);
    expect((await act("ord-never-seen", { action: "claim" })).status).toBe(404);
    await send("order_created", { uid: "ord-fine-1", status: "waiting for doctor" }, now() - 60);
    await worker.drain();
    expect((await act("ord-fine-1", { action: "resolve" })).status).toBe(409);
    expect((await queue()).open.find((entry) => entry.order.orderUid === uid)?.attention.note).toBe("Asked the pharmacy for a restock date");
  });

  it("refuses callers without credentials", async () => {
    const request = new Request(`http://rxwatch.test/api/orders/${uid}/attention`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"action":"claim"}' });
    expect((await postAttention(request, { params: Promise.resolve({ uid }) })).status).toBe(401);
    expect((await getQueue(new Request("http://rxwatch.test/api/orders/attention"), { params: Promise.resolve({}) })).status).toBe(401);
  });
});
