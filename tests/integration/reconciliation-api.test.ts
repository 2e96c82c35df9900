import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getRuns, POST as postRun } from "@/app/api/reconciliation/runs/route";
import { GET as getRun } from "@/app/api/reconciliation/runs/[id]/route";
import { POST as postCancel } from "@/app/api/reconciliation/runs/[id]/cancel/route";
import { POST as postFill } from "@/app/api/reconciliation/runs/[id]/fill/route";
import { POST as postCheck } from "@/app/api/reconciliation/orders/[uid]/route";
import { GET as getOrder } from "@/app/api/orders/[uid]/route";
import { orderCheckDtoSchema, ORDER_CHECKS_PER_MINUTE, reconciliationRunDetailDtoSchema, reconciliationRunSchema, reconciliationRunsDtoSchema } from "@/lib/reconciliation";
import { orderTraceDtoSchema } from "@/lib/order-trace";
import type { RunningEmulator } from "@/emulator/emulator";
import { createApiToken } from "@/server/auth/tokens";
import { db } from "@/server/core/db";
import { scanFailures } from "@/server/failures/scan";
import { createInboxWorker } from "@/server/processing/worker";
import { reconciliationsSettled } from "@/server/reconciliation/runs";
import { insertReconciliationRun } from "@/server/repositories/reconciliation";
import { updateSettings } from "@/server/settings/settings";
import { saveApiKey } from "@/server/subscriptions/api-key";
import { startTestEmulator } from "../support/emulator";
import { serveRoute } from "../support/route-server";

/*
 * The reconciliation API as the view and the trace page use it: runs started
 * in the background (one at a time, 409 otherwise), listed and paged,
 * cancelled, filled by admins only; one order checked at a time, at most
 * ORDER_CHECKS_PER_MINUTE a minute per person; every change audited.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_reconciliation_api_secret_01";
  return "whsec_reconciliation_api_secret_01";
});
const API_KEY = "reconciliation-api-test-key";
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 1, maxMs: 1 } });
let route: { url: string; close: () => Promise<void> };
let emulator: RunningEmulator;
const tokens = { admin: "", support: "", staff: "" };

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

function call<P>(handler: Handler<P>, path: string, token: string, params: P, body?: unknown): Promise<Response> {
  const init: RequestInit = { method: body === undefined && !path.includes("/cancel") && !path.includes("/fill") && !path.includes("/orders/") ? "GET" : "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return handler(new Request(`http://rxwatch.test${path}`, init), { params: Promise.resolve(params) });
}

async function auditActions(action: string): Promise<{ actorLabel: string | null; targetId: string | null }[]> {
  return (await db()).auditEntry.findMany({ where: { action }, select: { actorLabel: true, targetId: true }, orderBy: { at: "asc" } });
}

beforeAll(async () => {
  route = await serveRoute((request) => postWebhook(request));
  emulator = await startTestEmulator({
    target: `${route.url}/api/webhooks/rxscale`,
    signingSecret: SECRET,
    apiKeys: [{ key: API_KEY, permissions: ["order:read", "prescription:read"] }],
    seed: 1516,
    dropRate: 0.3,
  });
  emulator.pause();
  await updateSettings("connection", { environment: "custom", customBaseUrl: emulator.url, webhookTargetUrl: `${route.url}/api/webhooks/rxscale`, trailingSlash: true, deleteUidPlacement: "path" }, null);
  await saveApiKey(API_KEY, null);
  tokens.admin = (await createApiToken({ name: "ops admin", role: "admin" }, null)).secret;
  tokens.support = (await createApiToken({ name: "support desk", role: "support" }, null)).secret;
  tokens.staff = (await createApiToken({ name: "front desk", role: "staff" }, null)).secret;
  emulator.burst(80);
  await Promise.all(emulator.deliveries({ limit: 100_000 }).map((delivery) => emulator.waitForDelivery(delivery.id)));
  while ((await worker.drain()) > 0);
}, 60_000);
afterAll(async () => {
  await reconciliationsSettled();
  await emulator.stop();
  await route.close();
});

describe("reconciliation runs API", () => {
  it("refuses a second run while one is going, on any instance, and cancels it with an audit entry", async () => {
    const now = new Date();
    const elsewhere = await insertReconciliationRun({ trigger: "timer", startedAt: now, since: now, until: now, actorId: null });
    const refused = await call(postRun, "/api/reconciliation/runs", tokens.support, {}, {});
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/already going/);

    const cancelled = await call(postCancel, "/api/reconciliation/runs/x/cancel", tokens.support, { id: elsewhere });
    expect(cancelled.status).toBe(200);
    expect(reconciliationRunSchema.parse(await cancelled.json()).state).toBe("cancelled");
    expect((await call(postCancel, "/api/reconciliation/runs/x/cancel", tokens.support, { id: elsewhere })).status).toBe(409);
    expect((await call(postCancel, "/api/reconciliation/runs/x/cancel", tokens.support, { id: "no-such-run" })).status).toBe(404);
    expect(await auditActions("reconciliation.cancel")).toEqual([{ actorLabel: "support desk", targetId: elsewhere }]);
  });

  it("starts a run in the background (202), lists it with its counts and pages its differences", async () => {
    const started = await call(postRun, "/api/reconciliation/runs", tokens.support, {}, { since: "2h" });
    expect(started.status, await started.clone().text()).toBe(202);
    const run = reconciliationRunSchema.parse(await started.json());
    expect(run.trigger).toBe("manual");
    await reconciliationsSettled();

    const listed = reconciliationRunsDtoSchema.parse(await (await call(getRuns, "/api/reconciliation/runs", tokens.support, {})).json());
    const finished = listed.runs.find((entry) => entry.id === run.id);
    expect(finished).toMatchObject({ state: "completed", checked: emulator.orderBook.size });
    expect((finished?.missing ?? 0) + (finished?.behind ?? 0)).toBeGreaterThan(0);

    const seen: string[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const page = reconciliationRunDetailDtoSchema.parse(await (await call(getRun, `/api/reconciliation/runs/x?after=${after}`, tokens.support, { id: run.id })).json());
      seen.push(...page.differences.map((difference) => difference.orderUid));
      after = page.nextAfter;
    }
    expect(new Set(seen).size).toBe((finished?.missing ?? 0) + (finished?.behind ?? 0) + (finished?.unknownToRxScale ?? 0));
    expect((await call(getRun, "/api/reconciliation/runs/x?after=soon", tokens.support, { id: run.id })).status).toBe(400);
    expect((await call(getRun, "/api/reconciliation/runs/x", tokens.support, { id: "no-such-run" })).status).toBe(404);
    expect((await call(postRun, "/api/reconciliation/runs", tokens.support, {}, { since: "yesterday" })).status).toBe(400);
    expect((await call(getRuns, "/api/reconciliation/runs", tokens.staff, {})).status).toBe(403);
    expect(await auditActions("reconciliation.run")).toContainEqual({ actorLabel: "support desk", targetId: run.id });

    // More than the threshold missed: the failures page has a "webhooks missed" incident linking to this run.
    const incident = (await scanFailures()).groups.find((group) => group.kind === "webhooks_missed");
    expect(incident).toMatchObject({ state: "open", count: (finished?.missing ?? 0) + (finished?.behind ?? 0), evidence: { kind: "webhooks_missed", runId: run.id } });
  });

  it("lets only admins fill from RxScale, and the trace then shows the filled step as read from RxScale's API", async () => {
    const [latest] = reconciliationRunsDtoSchema.parse(await (await call(getRuns, "/api/reconciliation/runs", tokens.support, {})).json()).runs;
    if (!latest) throw new Error("no run to fill from");
    const differences = reconciliationRunDetailDtoSchema.parse(await (await call(getRun, "/api/reconciliation/runs/x", tokens.support, { id: latest.id })).json()).differences;
    expect((await call(postFill, "/api/reconciliation/runs/x/fill", tokens.support, { id: latest.id })).status).toBe(403);

    const filling = await call(postFill, "/api/reconciliation/runs/x/fill", tokens.admin, { id: latest.id });
    expect(filling.status, await filling.clone().text()).toBe(202);
    const fill = reconciliationRunSchema.parse(await filling.json());
    await reconciliationsSettled();
    const done = reconciliationRunDetailDtoSchema.parse(await (await call(getRun, "/api/reconciliation/runs/x", tokens.admin, { id: fill.id })).json()).run;
    expect(done.filled).toBe(done.missing + done.behind);
    expect(done.filled).toBeGreaterThan(0);
    expect(await auditActions("reconciliation.fill")).toEqual([{ actorLabel: "ops admin", targetId: fill.id }]);
    // Filled, nothing is missed any more: the incident resolves by itself.
    expect((await scanFailures()).groups.find((group) => group.kind === "webhooks_missed")).toMatchObject({ state: "resolved", resolvedBy: null });

    // A step is "read from RxScale" exactly when only a reconciled fact reached it; at least one filled order has such a step.
    let stepsReadFromRxScale = 0;
    for (const difference of differences) {
      const trace = orderTraceDtoSchema.parse(await (await call(getOrder, "/api/orders/x", tokens.support, { uid: difference.orderUid })).json());
      const reconciled = trace.events.filter((event) => event.source === "reconciliation");
      expect(reconciled.length, difference.orderUid).toBeGreaterThan(0);
      expect(reconciled.every((event) => event.deliveries.length === 0)).toBe(true);
      const fromWebhooks = new Set(trace.events.filter((event) => event.source === "webhook").map((event) => event.stage));
      for (const step of trace.timeline) {
        const isOnlyReconciled = step.state === "received" && !fromWebhooks.has(step.stage) && reconciled.some((event) => event.stage === step.stage);
        expect({ stage: step.stage, isReadFromRxScale: step.readFromRxScaleAt !== null }).toEqual({ stage: step.stage, isReadFromRxScale: isOnlyReconciled });
        if (isOnlyReconciled) stepsReadFromRxScale += 1;
      }
    }
    expect(stepsReadFromRxScale).toBeGreaterThan(0);
  });
});

describe("checking one order against RxScale", () => {
  it(`compares at once, is audited, and refuses the ${ORDER_CHECKS_PER_MINUTE + 1}th check in a minute with a clear 429`, async () => {
    const [order] = emulator.orderBook.list();
    if (!order) throw new Error("the emulator has no order");
    for (let check = 0; check < ORDER_CHECKS_PER_MINUTE; check += 1) {
      const response = await call(postCheck, "/api/reconciliation/orders/x", tokens.support, { uid: order.uid });
      expect(response.status, await response.clone().text()).toBe(200);
      expect(orderCheckDtoSchema.parse(await response.json())).toMatchObject({ orderUid: order.uid, class: "in_sync" });
    }
    const limited = await call(postCheck, "/api/reconciliation/orders/x", tokens.support, { uid: order.uid });
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as { error: { code: string; message: string; details: { retryAfterSeconds: number } } };
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toMatch(/6 orders a minute.*try again in \d+ s/);
    expect(body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    // The limit is per person: an admin still may.
    expect((await call(postCheck, "/api/reconciliation/orders/x", tokens.admin, { uid: order.uid })).status).toBe(200);
    expect((await auditActions("reconciliation.check")).filter((entry) => entry.actorLabel === "support desk")).toHaveLength(ORDER_CHECKS_PER_MINUTE);

    expect((await call(postCheck, "/api/reconciliation/orders/x", tokens.admin, { uid: "ord_nobody_knows" })).status).toBe(404);
    expect((await call(postCheck, "/api/reconciliation/orders/x", tokens.staff, { uid: order.uid })).status).toBe(403);
  });
});
