import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { projectOrder, type OrderFact } from "@/lib/order-projection";
import type { FactKind } from "@/lib/lifecycle";
import type { RunningEmulator } from "@/emulator/emulator";
import type { BookOrder } from "@/emulator/order-book";
import { createInboxWorker } from "@/server/processing/worker";
import { findOrderRow } from "@/server/repositories/orders";
import { findReconciliationRun, listDifferences } from "@/server/repositories/reconciliation";
import { createRxScaleClient } from "@/server/rxscale/client";
import { reconcile, type ReconcileOptions } from "@/server/reconciliation/reconcile";
import { createExclusiveRunner, type ExclusiveRunner } from "@/server/timers/leader-lock";
import { startTestEmulator } from "../support/emulator";
import { serveRoute } from "../support/route-server";

/*
 * The "done when": the emulator loses 20 % of its events for a stretch
 * of lifecycle traffic (a burst standing in for two minutes of it); a first
 * run finds orders missing or behind; a run with fill records RxScale's state;
 * a second run finds nothing, and every order's stage equals RxScale's.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_reconciliation_test_secret_01";
  return "whsec_reconciliation_test_secret_01";
});
const API_KEY = "reconciliation-test-key";
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 1, maxMs: 1 } });
let route: { url: string; close: () => Promise<void> };
let emulator: RunningEmulator;

beforeAll(async () => {
  route = await serveRoute((request) => postWebhook(request));
  emulator = await startTestEmulator({
    target: `${route.url}/api/webhooks/rxscale`,
    signingSecret: SECRET,
    apiKeys: [{ key: API_KEY, permissions: ["order:read", "prescription:read"] }],
    seed: 1515,
    dropRate: 0.2,
  });
  // Bursts only: orders move when the test says, so RxScale's state holds still between runs.
  emulator.pause();
}, 60_000);
const runners: ExclusiveRunner[] = [];
afterAll(async () => {
  for (const runner of runners) await runner.release();
  await emulator.stop();
  await route.close();
});

/** Waits until the emulator has no delivery left to send, then processes everything received. */
async function settle(): Promise<void> {
  await Promise.all(emulator.deliveries({ limit: 100_000 }).map((delivery) => emulator.waitForDelivery(delivery.id)));
  while ((await worker.drain()) > 0);
}

function options(overrides: Partial<ReconcileOptions> = {}): ReconcileOptions {
  return {
    trigger: "cli",
    actor: { via: "system", name: "test" },
    actorId: null,
    since: new Date(Date.now() - 60 * 60 * 1000),
    fill: false,
    client: createRxScaleClient({ baseUrl: emulator.url, apiKey: API_KEY }),
    ...overrides,
  };
}

/** RxScale's stage of an order: its book state projected the way RxWatch projects facts. */
function rxscaleStage(order: BookOrder): string {
  const fact = (kind: FactKind, uid: string, status: string, updatedAt: number): OrderFact => ({
    eventId: `${kind}:${uid}`,
    kind,
    eventType: kind,
    orderUid: order.uid,
    entityUid: uid,
    status,
    updatedAt,
    timestamp: updatedAt,
    receivedAt: 0,
    pharmacyUid: null,
    pharmacyName: null,
    deliveryType: null,
    shopOrderName: null,
    patientKey: null,
  });
  const facts = [
    fact("order", order.uid, order.status, order.updated_at),
    ...[...order.prescriptions.values()].map((entity) => fact("prescription", entity.uid, entity.status, entity.updated_at)),
    ...[...order.pharmacyOrders.values()].map((entity) => fact("pharmacy_order", entity.uid, entity.status, entity.updated_at)),
  ];
  return projectOrder(order.uid, facts).stage;
}

describe("reconciliation against the emulator", () => {
  it("finds what 20 % dropped deliveries left out, fills it from RxScale, and then agrees with RxScale on every order's stage", async () => {
    emulator.burst(400);
    await settle();
    expect(emulator.state().drops.dropped).toBeGreaterThan(0);

    const first = await reconcile(options());
    expect(first.state).toBe("completed");
    expect(first.checked).toBe(emulator.orderBook.size);
    expect(first.missing + first.behind).toBeGreaterThan(0);
    expect((await listDifferences(first.runId, 10_000)).length).toBe(first.missing + first.behind + first.unknownToRxScale);

    const filled = await reconcile(options({ fill: true }));
    expect(filled.filled).toBe(filled.missing + filled.behind);

    const second = await reconcile(options());
    expect({ missing: second.missing, behind: second.behind }).toEqual({ missing: 0, behind: 0 });
    for (const order of emulator.orderBook.list()) expect({ uid: order.uid, stage: (await findOrderRow(order.uid))?.stage }).toEqual({ uid: order.uid, stage: rxscaleStage(order) });
    expect((await findReconciliationRun(second.runId))?.inSync).toBe(second.checked);
  }, 120_000);
});

describe("reconciliation on several instances", () => {
  it("never runs twice at once: a second instance's run waits for the first, and neither fails the other's", async () => {
    const instances = [createExclusiveRunner(process.env.DATABASE_URL ?? ""), createExclusiveRunner(process.env.DATABASE_URL ?? "")];
    runners.push(...instances);
    const client = createRxScaleClient({ baseUrl: emulator.url, apiKey: API_KEY });
    let reading = 0;
    let mostAtOnce = 0;
    // Each page read yields to the event loop, so two unserialized runs would interleave their pages.
    const watchedClient: typeof client = {
      ...client,
      listOrders: async (filter) => {
        reading += 1;
        mostAtOnce = Math.max(mostAtOnce, reading);
        try {
          for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
          return await client.listOrders(filter);
        } finally {
          reading -= 1;
        }
      },
    };
    const results = await Promise.all(instances.map((serializer) => reconcile(options({ client: watchedClient, serializer }))));
    expect(results.map((result) => result.state)).toEqual(["completed", "completed"]);
    expect(mostAtOnce).toBe(1);
    const runs = await Promise.all(results.map((result) => findReconciliationRun(result.runId)));
    const [first, second] = runs.sort((a, b) => (a?.startedAt.getTime() ?? 0) - (b?.startedAt.getTime() ?? 0));
    expect(second?.startedAt.getTime()).toBeGreaterThanOrEqual(first?.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY);
  }, 120_000);
});
