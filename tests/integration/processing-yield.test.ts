import { describe, expect, it, vi } from "vitest";
import { createDb } from "@/server/core/db";
import { signalNewEvents } from "@/server/processing/inbox-signal";
import { createDispatcher } from "@/server/processing/dispatch";
import { createInboxWorker, INGEST_BUSY_EVENTS_PER_SECOND, INGEST_BUSY_GATHER_MS } from "@/server/processing/worker";
import { createInboxRepository } from "@/server/repositories/inbox";
import { createWebhookEvent } from "../support/factories";

const client = createDb(process.env.DATABASE_URL ?? "");

/**
 * A worker whose "pharmacy_order_created" handler does nothing, claiming through the inbox repository and then
 * `afterClaim` (which sees when the claim began and what it returned).
 */
function workerObservingClaims(afterClaim: (claimed: readonly unknown[], startedAt: number) => Promise<void> | void) {
  const repository = createInboxRepository(client);
  return createInboxWorker({
    concurrency: 4,
    pollMs: 60_000,
    leaseMs: 30_000,
    maxAttempts: 3,
    backoff: { baseMs: 10, maxMs: 100 },
    dispatcher: createDispatcher({ overrides: { pharmacy_order_created: async () => {} } }),
    repository: {
      ...repository,
      claimDueEvents: async (request) => {
        const startedAt = Date.now();
        const claimed = await repository.claimDueEvents(request);
        await afterClaim(claimed, startedAt);
        return claimed;
      },
    },
  });
}

describe("the worker gives way to ingest", () => {
  it("runs one event at a time while webhooks arrive fast, and all of them eventually", async () => {
    let running = 0;
    let mostAtOnce = 0;
    const handler = async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    };
    const worker = createInboxWorker({
      concurrency: 4,
      pollMs: 60_000,
      leaseMs: 30_000,
      maxAttempts: 3,
      backoff: { baseMs: 10, maxMs: 100 },
      dispatcher: createDispatcher({ overrides: { pharmacy_order_updated: handler } }),
    });
    worker.start();
    // Ingest keeps reporting a burst: more new events per second than the busy threshold.
    signalNewEvents(INGEST_BUSY_EVENTS_PER_SECOND + 1);
    const burst = setInterval(() => signalNewEvents(INGEST_BUSY_EVENTS_PER_SECOND + 1), 200);
    for (let index = 0; index < 6; index++) await createWebhookEvent(client, { type: "pharmacy_order_updated" });
    signalNewEvents(1);
    await vi.waitFor(async () => expect(await client.webhookEvent.count({ where: { status: "processed" } })).toBe(6), { timeout: 10_000 });
    clearInterval(burst);
    await worker.stop();
    expect(mostAtOnce).toBe(1);
  });

  it("lets events that arrive close together while ingest is busy gather into fuller claims", async () => {
    const claims: { at: number; size: number }[] = [];
    const worker = workerObservingClaims((claimed, at) => {
      claims.push({ at, size: claimed.length });
    });
    worker.start();
    signalNewEvents(INGEST_BUSY_EVENTS_PER_SECOND + 1);
    // Ingest batches of one event each, a few milliseconds apart.
    const ids: string[] = [];
    for (let index = 0; index < 12; index++) {
      ids.push((await createWebhookEvent(client, { type: "pharmacy_order_created" })).id);
      signalNewEvents(1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await vi.waitFor(async () => expect(await client.webhookEvent.count({ where: { status: "processed", id: { in: ids } } })).toBe(12), { timeout: 10_000 });
    await worker.stop();
    // Without gathering, a signal that found no batch running claimed at once: claims a few milliseconds apart.
    const gaps = claims.slice(1).map((claim, index) => claim.at - (claims[index]?.at ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INGEST_BUSY_GATHER_MS - 1);
    expect(claims.filter((claim) => claim.size > 0).length).toBeLessThan(12);
  });

  it("claims an event signalled while a claim was running once the batch is done, not at the next poll", async () => {
    let lateId: string | null = null;
    const worker = workerObservingClaims(async (claimed) => {
      if (claimed.length > 0 && lateId === null) {
        // Committed and signalled after the claim had looked, before it returned.
        lateId = (await createWebhookEvent(client, { type: "pharmacy_order_created" })).id;
        signalNewEvents(1);
      }
    });
    const firstId = (await createWebhookEvent(client, { type: "pharmacy_order_created" })).id;
    worker.start();
    await vi.waitFor(async () => expect(await client.webhookEvent.count({ where: { status: "processed", id: { in: [firstId, lateId ?? firstId] } } })).toBe(2), { timeout: 5_000 });
    await worker.stop();
  });

  it("runs several at once when ingest is quiet", async () => {
    let running = 0;
    let mostAtOnce = 0;
    const handler = async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
    };
    for (let index = 0; index < 8; index++) await createWebhookEvent(client, { type: "pharmacy_order_created" });
    const worker = createInboxWorker({
      concurrency: 4,
      pollMs: 60_000,
      leaseMs: 30_000,
      maxAttempts: 3,
      backoff: { baseMs: 10, maxMs: 100 },
      dispatcher: createDispatcher({ overrides: { pharmacy_order_created: handler } }),
    });
    await worker.drain();
    expect(mostAtOnce).toBeGreaterThan(1);
  });

  it("lets other work run while it works off a backlog", async () => {
    for (let index = 0; index < 40; index++) await createWebhookEvent(client, { type: "pharmacy_sku_stock_updated" });
    const worker = createInboxWorker({ concurrency: 4, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 100 } });
    worker.start();
    // A timer stands for an incoming request: it must get a turn before the whole backlog is done.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const processedWhenTimerRan = await client.webhookEvent.count({ where: { status: "processed", eventType: "pharmacy_sku_stock_updated" } });
    await vi.waitFor(async () => expect(await client.webhookEvent.count({ where: { status: "processed", eventType: "pharmacy_sku_stock_updated" } })).toBe(40), { timeout: 20_000 });
    await worker.stop();
    expect(processedWhenTimerRan).toBeLessThan(40);
  });
});
