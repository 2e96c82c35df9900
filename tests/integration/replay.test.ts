import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as listReplays, POST as planReplayRoute } from "@/app/api/replay/route";
import { POST as startRoute } from "@/app/api/replay/[id]/start/route";
import { POST as cancelRoute } from "@/app/api/replay/[id]/cancel/route";
import { GET as getOrder } from "@/app/api/orders/[uid]/route";
import { replayJobDtoSchema, type ReplayJobDto } from "@/lib/failures";
import { createApiToken } from "@/server/auth/tokens";
import { getReplayJob, replayJobSettled } from "@/server/replay/jobs";
import { createDispatcher } from "@/server/processing/dispatch";
import { createInboxWorker } from "@/server/processing/worker";
import { envelopeBody, webhookRequest } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * Bulk replay after a transient failure. The pharmacy-order-updated handler
 * is wrapped so that it fails while "the database is away" (as a real outage
 * would surface: an unexpected error, retried until the attempts run out,
 * then dead). Once the outage is over, an admin's dry run must name exactly
 * the events and order changes that the real, throttled run then produces.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_replay_test_secret_01";
  return "whsec_replay_test_secret_01";
});
let isOutage = false;
const builtIn = createDispatcher();
const dispatcher = createDispatcher({
  overrides: {
    pharmacy_order_updated: async (event, context) => {
      if (isOutage) throw Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" });
      await builtIn.handlerFor("pharmacy_order_updated")(event, context);
    },
  },
});
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1 }, dispatcher });
let adminToken = "";
let supportToken = "";
let staffToken = "";

beforeAll(async () => {
  adminToken = (await createApiToken({ name: "ops admin", role: "admin" }, null)).secret;
  supportToken = (await createApiToken({ name: "support desk", role: "support" }, null)).secret;
  staffToken = (await createApiToken({ name: "front desk", role: "staff" }, null)).secret;
});

let at = 1_800_000_000;
async function send(eventType: string, data: Record<string, unknown>): Promise<void> {
  at += 60;
  const response = await postWebhook(webhookRequest(envelopeBody({ event_type: eventType, timestamp: at, data: { updated_at: at, ...data } }), { secret: SECRET }));
  expect(response.status).toBe(200);
}

function pharmacyOrder(orderUid: string, status: string | undefined) {
  return { uid: `po-${orderUid}`, ...(status ? { status } : {}), order: { uid: orderUid }, pharmacy: { uid: "ph-1", display_name: "Apotheke am Markt" } };
}

/** Runs the worker until nothing is due, including retries scheduled a millisecond ahead. */
async function drainAll(): Promise<void> {
  for (let round = 0; round < 10; round++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if ((await worker.drain()) === 0) return;
  }
}

type RouteHandler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

function call<P>(handler: RouteHandler<P>, path: string, token: string, body: unknown, params: P): Promise<Response> {
  const init: RequestInit = { method: body === undefined ? "GET" : "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return handler(new Request(`http://rxwatch.test${path}`, init), { params: Promise.resolve(params) });
}

async function plan(filter: Record<string, unknown>, eventsPerSecond = 50): Promise<ReplayJobDto> {
  const response = await call(planReplayRoute, "/api/replay", adminToken, { filter, eventsPerSecond }, {});
  expect(response.status, await response.clone().text()).toBe(201);
  return replayJobDtoSchema.parse(await response.json());
}

async function stageOf(orderUid: string): Promise<{ stage: string; status: string } | null> {
  const response = await getOrder(new Request(`http://rxwatch.test/api/orders/${orderUid}`, { headers: { authorization: `Bearer ${supportToken}` } }), { params: Promise.resolve({ uid: orderUid }) });
  if (response.status === 404) return null;
  const body = (await response.json()) as { order: { stage: string; status: string } };
  return { stage: body.order.stage, status: body.order.status };
}

describe(`bulk replay on ${testProvider()}`, () => {
  it("dry-runs dead letters of an outage, then replays exactly those events and changes exactly the predicted orders", async () => {
    // Before the outage: two orders reach the pharmacy.
    await send("pharmacy_order_created", pharmacyOrder("ord-a", "waiting for pharmacy"));
    await send("pharmacy_order_created", pharmacyOrder("ord-b", "waiting for pharmacy"));
    await drainAll();
    // During the outage: their updates die, one of them for a payload no fix of RxWatch's can help; a brand-new order's first event dies too.
    isOutage = true;
    await send("pharmacy_order_updated", pharmacyOrder("ord-a", "in-progress"));
    await send("pharmacy_order_updated", pharmacyOrder("ord-b", undefined));
    await send("pharmacy_order_updated", pharmacyOrder("ord-c", "ready_for_pickup"));
    await drainAll();
    expect(await stageOf("ord-a")).toEqual({ stage: "sent_to_pharmacy", status: "waiting for pharmacy" });
    expect(await stageOf("ord-c")).toBeNull();
    isOutage = false;

    const job = await plan({ statuses: ["dead"], eventType: "pharmacy_order_updated" });
    expect(job).toMatchObject({ state: "planned", total: 3, queued: 0 });
    expect(job.plan).toMatchObject({
      events: 3,
      byStatus: [{ value: "dead", count: 3 }],
      contributing: 2,
      expectedToFail: [{ value: expect.stringMatching(/^invalid_payload: data\.status/), count: 1 }],
      orderChangeCount: 2,
      ordersUnchanged: 0,
    });
    expect(job.plan.orderChanges).toEqual([
      { orderUid: "ord-a", shopOrderName: null, before: { stage: "sent_to_pharmacy", status: "waiting for pharmacy" }, after: { stage: "in_pharmacy", status: "in-progress" } },
      { orderUid: "ord-c", shopOrderName: null, before: null, after: { stage: "shipped", status: "ready_for_pickup" } },
    ]);
    // The dry run changed nothing.
    expect(await stageOf("ord-a")).toEqual({ stage: "sent_to_pharmacy", status: "waiting for pharmacy" });

    const started = await call(startRoute, `/api/replay/${job.id}/start`, adminToken, {}, { id: job.id });
    expect(started.status).toBe(200);
    expect(replayJobDtoSchema.parse(await started.json()).state).toBe("running");
    await replayJobSettled(job.id);
    await drainAll();

    const done = await getReplayJob(job.id);
    expect(done).toMatchObject({ state: "completed", queued: 3, total: 3 });
    expect(done.progress).toEqual([
      { value: "dead", count: 1 },
      { value: "processed", count: 2 },
    ]);
    for (const change of done.outcome) expect(change.actual, change.orderUid).toEqual(change.expected);
    expect(await stageOf("ord-a")).toEqual({ stage: "in_pharmacy", status: "in-progress" });
    expect(await stageOf("ord-b")).toEqual({ stage: "sent_to_pharmacy", status: "waiting for pharmacy" });
    expect(await stageOf("ord-c")).toEqual({ stage: "shipped", status: "ready_for_pickup" });

    // Idempotent: the job cannot run twice, and replaying what is left changes nothing.
    expect((await call(startRoute, `/api/replay/${job.id}/start`, adminToken, {}, { id: job.id })).status).toBe(409);
    const again = await plan({ statuses: ["dead", "processed"], eventType: "pharmacy_order_updated" });
    expect(again.plan).toMatchObject({ events: 3, orderChangeCount: 0, ordersUnchanged: 2 });
  });

  it("throttles a running replay and stops it on cancel before its next event", async () => {
    const since = new Date().toISOString();
    for (let index = 0; index < 4; index++) await send("pharmacy_order_created", pharmacyOrder(`ord-slow-${index}`, "waiting for pharmacy"));
    await drainAll();
    const job = await plan({ statuses: ["processed"], eventType: "pharmacy_order_created", receivedFrom: since }, 1);
    expect(job.total).toBe(4);
    await call(startRoute, `/api/replay/${job.id}/start`, adminToken, {}, { id: job.id });
    const cancelled = await call(cancelRoute, `/api/replay/${job.id}/cancel`, adminToken, {}, { id: job.id });
    expect(cancelled.status).toBe(200);
    await replayJobSettled(job.id);
    const stopped = await getReplayJob(job.id);
    expect(stopped.state).toBe("cancelled");
    expect(stopped.queued).toBeLessThan(4);
    expect((await call(cancelRoute, `/api/replay/${job.id}/cancel`, adminToken, {}, { id: job.id })).status).toBe(409);
  });

  it("refuses an empty selection and keeps bulk replay to admins", async () => {
    const empty = await call(planReplayRoute, "/api/replay", adminToken, { filter: { statuses: ["dead"], eventType: "no_such_type" } }, {});
    expect(empty.status).toBe(400);
    const unfiltered = await call(planReplayRoute, "/api/replay", adminToken, { filter: {} }, {});
    expect(unfiltered.status).toBe(400);
    expect((await call(planReplayRoute, "/api/replay", supportToken, { filter: { statuses: ["dead"] } }, {})).status).toBe(403);
    expect((await call(listReplays, "/api/replay", staffToken, undefined, {})).status).toBe(403);
    const list = await call(listReplays, "/api/replay", adminToken, undefined, {});
    expect(((await list.json()) as { jobs: unknown[] }).jobs.length).toBeGreaterThanOrEqual(2);
  });
});
