import { afterAll, describe, expect, it, vi } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { POST } from "@/app/api/webhooks/rxscale/route";
import { SHUTDOWN_EVENT } from "@/lib/live";
import { createDb } from "@/server/core/db";
import { endOnShutdown } from "@/server/live/end-on-shutdown";
import type { EventHandler } from "@/server/processing/event";
import { createDispatcher } from "@/server/processing/dispatch";
import { createInboxWorker } from "@/server/processing/worker";
import { isShuttingDown, onShutdown, shutDown } from "@/server/core/shutdown";
import { envelopeBody, readWebhookResponse, webhookRequest } from "../fixtures/rxscale-webhooks";
import { createWebhookEvent } from "../support/factories";
import { testProvider } from "../support/test-database";

/*
 * The shutdown sequence in-process (the process-level test with SIGTERM is
 * tests/e2e/shutdown.spec.ts): a worker gives back the lease of a run it
 * could not wait for, and a drain finishes the webhooks already inside,
 * refuses new ones, ends live streams with a final event and runs the
 * registered steps in order. shutDown() happens once per process, so it is
 * the last thing this file does.
 */

const SECRET = vi.hoisted(() => {
  const secret = "whsec_shutdown_secret_0001";
  process.env.RXSCALE_SIGNING_SECRETS = secret;
  // Keeps a delivery waiting for its group commit long enough for the shutdown to begin meanwhile.
  process.env.RXWATCH_INGEST_BATCH_WINDOW_MS = "50";
  return secret;
});

const client = createDb(process.env.DATABASE_URL ?? "");

afterAll(async () => {
  await client.$disconnect();
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe(`shutdown on ${testProvider()}`, () => {
  it("gives back the lease of a run the stopping worker could not wait for, so another worker takes the event at once", async () => {
    const { id } = await createWebhookEvent(client, { type: "pharmacy_order_updated" });
    let releaseHandler: () => void = () => undefined;
    const hanging: EventHandler = () => new Promise<void>((resolve) => (releaseHandler = resolve));
    const stopping = createInboxWorker({
      concurrency: 1,
      pollMs: 60_000,
      leaseMs: 60_000,
      maxAttempts: 5,
      backoff: { baseMs: 1_000, maxMs: 60_000 },
      dispatcher: createDispatcher({ overrides: { pharmacy_order_updated: hanging } }),
    });
    stopping.start();
    await until(async () => (await client.webhookEvent.findUniqueOrThrow({ where: { id } })).leaseOwner === stopping.id);

    const stopped = stopping.stop();
    expect(await stopping.releaseLeases()).toBe(1);
    expect(await client.webhookEvent.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "processing", leaseOwner: null, leaseExpiresAt: null });

    const ran: string[] = [];
    const successor = createInboxWorker({
      concurrency: 1,
      pollMs: 60_000,
      leaseMs: 60_000,
      maxAttempts: 5,
      backoff: { baseMs: 1_000, maxMs: 60_000 },
      dispatcher: createDispatcher({ overrides: { pharmacy_order_updated: async (event) => void ran.push(event.id) } }),
    });
    expect(await successor.drain()).toBe(1);
    expect(ran).toEqual([id]);

    // The abandoned run ends later: its result is discarded, the successor's stands.
    releaseHandler();
    await stopped;
    expect(await client.webhookEvent.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "processed", attempts: 2 });
    const attempts = await client.processingAttempt.findMany({ where: { eventId: id }, orderBy: { attempt: "asc" } });
    expect(attempts.map((attempt) => [attempt.worker, attempt.outcome])).toEqual([
      [stopping.id, "failed"],
      [successor.id, "succeeded"],
    ]);
    expect(attempts[0]?.error).toMatch(/^lease_lost/);
  });

  it("drains: finishes the webhook already inside, refuses new ones, fails health, ends live streams with a final event, then runs its steps in order", async () => {
    const steps: string[] = [];
    let isInFlightAnswered = false;
    onShutdown("cleanup", "third", () => void steps.push("cleanup"));
    onShutdown("work", "second", async () => {
      // Once ingest has drained only microtasks of the answer remain: one turn of the event loop covers them.
      await new Promise((resolve) => setImmediate(resolve));
      steps.push(isInFlightAnswered ? "work after ingest drained" : "work while ingest was in flight");
    });
    onShutdown("intake", "first", () => void steps.push("intake"));

    let isUpstreamCancelled = false;
    const live = endOnShutdown(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(": connected\n\n"));
        },
        cancel() {
          isUpstreamCancelled = true;
        },
      }),
    ).getReader();
    expect(new TextDecoder().decode((await live.read()).value)).toBe(": connected\n\n");

    // Counted as inside from the call on; it still has to verify and wait for its batch when the shutdown begins.
    const inFlight = POST(webhookRequest(envelopeBody(), { secret: SECRET }));
    void inFlight.finally(() => (isInFlightAnswered = true));
    const drained = shutDown("test");
    expect(isShuttingDown()).toBe(true);

    const late = await readWebhookResponse(await POST(webhookRequest(envelopeBody(), { secret: SECRET })));
    expect(late).toMatchObject({ status: 503, errorCode: "storage_unavailable" });
    expect((await health(new Request("http://rxwatch.test/api/health"))).status).toBe(503);

    const accepted = await readWebhookResponse(await inFlight);
    expect(accepted.status).toBe(200);
    const eventId = accepted.json.event_id;
    expect(typeof eventId).toBe("string");

    const final = await live.read();
    expect(new TextDecoder().decode(final.value)).toContain(`event: ${SHUTDOWN_EVENT}`);
    expect((await live.read()).done).toBe(true);
    expect(isUpstreamCancelled).toBe(true);

    await drained;
    expect(steps).toEqual(["intake", "work after ingest drained", "cleanup"]);
    expect(await client.webhookEvent.findUnique({ where: { id: String(eventId) } })).not.toBeNull();
    expect(await client.delivery.count({ where: { eventId: String(eventId) } })).toBe(1);
  });
});
