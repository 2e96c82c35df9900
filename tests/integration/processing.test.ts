import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createDb, sqliteRunnerOf } from "@/server/core/db";
import { AppError } from "@/server/core/errors";
import type { EventHandler, HandlerContext, InboxEvent } from "@/server/processing/event";
import { signalNewEvents } from "@/server/processing/inbox-signal";
import { createDispatcher } from "@/server/processing/dispatch";
import { reprocessEvent, reprocessEvents } from "@/server/processing/reprocess";
import { createInboxWorker, type InboxWorkerOptions } from "@/server/processing/worker";
import { createInboxRepository, INTERRUPTED_ATTEMPT_ERROR, type ClaimedEvent } from "@/server/repositories/inbox";
import { SQLITE_CLAIM_SQL } from "@/server/repositories/inbox-driver";
import { createWebhookEvent, FACTORY_EPOCH } from "../support/factories";
import { testProvider } from "../support/test-database";

const url = process.env.DATABASE_URL ?? "";
const client = createDb(url);
const LEASE_MS = 60_000;
/** A value that must never reach an error record or log. */
const PATIENT_NAME = "Erika Mustermann";

// Captures the structured log so tests can check it never carries payload values (and keeps the output quiet).
const logged: string[] = [];
const capture = (...parts: unknown[]) => {
  logged.push(parts.map(String).join(" "));
};
vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
  capture(chunk);
  return true;
});
vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
  capture(chunk);
  return true;
});

afterAll(async () => {
  vi.restoreAllMocks();
  await client.$disconnect();
  expect(logged.length).toBeGreaterThan(0);
  for (const line of logged) expect(line).not.toContain(PATIENT_NAME);
});

beforeEach(async () => {
  // Workers claim whatever is due in the database, so each test starts from an empty inbox.
  await client.processingAttempt.deleteMany();
  await client.delivery.deleteMany();
  await client.webhookEvent.deleteMany();
});

function manualClock(start = FACTORY_EPOCH) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
  };
}

function deferred() {
  let release: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

function worker(overrides: Partial<InboxWorkerOptions> = {}) {
  return createInboxWorker({
    concurrency: 4,
    pollMs: 60_000,
    leaseMs: LEASE_MS,
    maxAttempts: 5,
    backoff: { baseMs: 1_000, maxMs: 60_000 },
    random: () => 0.5,
    ...overrides,
  });
}

/** Makes closing an attempt as succeeded fail inside the database, as if the process died at that write. */
async function failAttemptsClosedAsSucceeded(isOn: boolean) {
  if (testProvider() === "sqlite") {
    await client.$executeRawUnsafe(
      isOn
        ? "CREATE TRIGGER crash_closing_attempt BEFORE UPDATE OF outcome ON processing_attempt WHEN NEW.outcome = 'succeeded' BEGIN SELECT RAISE(ABORT, 'simulated crash'); END"
        : "DROP TRIGGER crash_closing_attempt",
    );
    return;
  }
  if (isOn) {
    await client.$executeRawUnsafe("CREATE FUNCTION crash_closing_attempt() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$ LANGUAGE plpgsql");
    await client.$executeRawUnsafe("CREATE TRIGGER crash_closing_attempt BEFORE UPDATE ON processing_attempt FOR EACH ROW WHEN (NEW.outcome = 'succeeded') EXECUTE FUNCTION crash_closing_attempt()");
  } else {
    await client.$executeRawUnsafe("DROP TRIGGER crash_closing_attempt ON processing_attempt");
    await client.$executeRawUnsafe("DROP FUNCTION crash_closing_attempt()");
  }
}

async function eventRow(id: string) {
  return client.webhookEvent.findUniqueOrThrow({ where: { id } });
}

async function attemptsOf(eventId: string) {
  return client.processingAttempt.findMany({ where: { eventId }, orderBy: [{ startedAt: "asc" }, { attempt: "asc" }] });
}

describe(`inbox processing on ${testProvider()}`, () => {
  it("claims a pending event, runs its handler with the parsed envelope and marks it processed", async () => {
    const clock = manualClock();
    const seen: { event: InboxEvent; context: HandlerContext }[] = [];
    const handler: EventHandler = async (event, context) => {
      seen.push({ event, context });
    };
    const { id } = await createWebhookEvent(client, { type: "pharmacy_order_created", timestamp: 1_735_725_600, data: { uid: "po-1", status: "init" } });
    const inbox = worker({ now: clock.now, dispatcher: createDispatcher({ overrides: { pharmacy_order_created: handler } }) });

    expect(await inbox.drain()).toBe(1);

    expect(seen).toHaveLength(1);
    expect(seen[0]?.event).toMatchObject({ id, type: "pharmacy_order_created", timestamp: 1_735_725_600, payloadVersion: "1", data: { uid: "po-1", status: "init" } });
    expect(seen[0]?.context).toMatchObject({ attempt: 1, workerId: inbox.id });
    const row = await eventRow(id);
    expect(row).toMatchObject({ status: "processed", attempts: 1, leaseOwner: null, leaseExpiresAt: null, lastError: null });
    expect(row.processedAt?.toISOString()).toBe(clock.now().toISOString());
    const attempts = await attemptsOf(id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, worker: inbox.id, outcome: "succeeded", error: null });
    expect(attempts[0]?.finishedAt).not.toBeNull();
    expect(await inbox.drain()).toBe(0);
  });

  it("runs the built-in handlers: a valid pharmacy order is processed, one without a uid is dead-lettered at once naming the field and no value", async () => {
    const valid = await createWebhookEvent(client, { type: "pharmacy_order_updated", data: { uid: "po-2", status: "completed", patient_data: { display_name: PATIENT_NAME } } });
    const invalid = await createWebhookEvent(client, { type: "pharmacy_order_updated", data: { uuid: "po-3", status: PATIENT_NAME } });
    await worker({ now: manualClock().now }).drain();

    expect((await eventRow(valid.id)).status).toBe("processed");
    const dead = await eventRow(invalid.id);
    expect(dead).toMatchObject({ status: "dead", attempts: 1 });
    expect(dead.lastError).toMatch(/^invalid_payload: data\.uid: invalid_type \(expected string\)/);
    expect(dead.lastError).not.toContain("po-3");
    expect(dead.lastError).not.toContain(PATIENT_NAME);
    expect((await attemptsOf(invalid.id)).map((attempt) => attempt.outcome)).toEqual(["dead"]);
  });

  it("dead-letters an event whose stored body is gone or unreadable, without calling a handler", async () => {
    const handler = vi.fn<EventHandler>(async () => {});
    const missing = await createWebhookEvent(client, { body: null });
    const garbled = await createWebhookEvent(client, { body: new TextEncoder().encode(`{"data": "${PATIENT_NAME}`) });
    await worker({ now: manualClock().now, dispatcher: createDispatcher({ fallback: handler, overrides: { pharmacy_order_updated: handler } }) }).drain();

    expect(handler).not.toHaveBeenCalled();
    expect(await eventRow(missing.id)).toMatchObject({ status: "dead", lastError: expect.stringMatching(/^missing_body/) });
    const garbledRow = await eventRow(garbled.id);
    expect(garbledRow).toMatchObject({ status: "dead", lastError: expect.stringMatching(/^invalid_body/) });
    expect(garbledRow.lastError).not.toContain(PATIENT_NAME);
  });

  it("retries a throwing handler with exponential backoff and full jitter, recording every attempt, then dead-letters it with the last error", async () => {
    const clock = manualClock();
    const failing: EventHandler = async () => {
      throw Object.assign(new TypeError(`cannot read the name of ${PATIENT_NAME}`), { code: "E_TEST" });
    };
    const { id } = await createWebhookEvent(client, { type: "flaky_event" });
    const inbox = worker({ now: clock.now, maxAttempts: 3, dispatcher: createDispatcher({ overrides: { flaky_event: failing } }) });

    expect(await inbox.drain()).toBe(1);
    let row = await eventRow(id);
    // random 0.5 of the ceiling base·2^(attempt−1): 500 ms after the first failure, 1 000 ms after the second.
    expect(row).toMatchObject({ status: "failed", attempts: 1, leaseOwner: null, leaseExpiresAt: null });
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(500);
    expect(row.lastError).toBe("unexpected_error: TypeError (E_TEST) thrown by the handler; see the server log for where");

    expect(await inbox.drain()).toBe(0);
    clock.advance(499);
    expect(await inbox.drain()).toBe(0);
    clock.advance(1);
    expect(await inbox.drain()).toBe(1);
    row = await eventRow(id);
    expect(row).toMatchObject({ status: "failed", attempts: 2 });
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(1_000);

    clock.advance(1_000);
    expect(await inbox.drain()).toBe(1);
    row = await eventRow(id);
    expect(row).toMatchObject({ status: "dead", attempts: 3, leaseOwner: null });
    expect(row.lastError).toMatch(/^unexpected_error: TypeError/);

    clock.advance(24 * 3_600_000);
    expect(await inbox.drain()).toBe(0);
    const attempts = await attemptsOf(id);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual([
      [1, "failed"],
      [2, "failed"],
      [3, "dead"],
    ]);
    for (const attempt of attempts) {
      expect(attempt.finishedAt).not.toBeNull();
      expect(attempt.worker).toBe(inbox.id);
      expect(attempt.error).not.toContain(PATIENT_NAME);
    }
  });

  it("makes an event whose worker crashed mid-run claimable again once the lease expires, keeping the crashed run on record", async () => {
    const clock = manualClock();
    const { id } = await createWebhookEvent(client);
    const crashed = await createInboxRepository().claimDueEvents({ workerId: "crashed-worker", now: clock.now(), leaseExpiresAt: new Date(clock.now().getTime() + LEASE_MS), limit: 10 });
    expect(crashed.map((event) => event.id)).toEqual([id]);
    const inbox = worker({ now: clock.now });

    clock.advance(LEASE_MS - 1);
    expect(await inbox.drain()).toBe(0);
    clock.advance(1);
    expect(await inbox.drain()).toBe(1);

    expect(await eventRow(id)).toMatchObject({ status: "processed", attempts: 2, leaseOwner: null });
    const attempts = await attemptsOf(id);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.worker, attempt.outcome, attempt.error, attempt.finishedAt])).toEqual([
      [1, "crashed-worker", "failed", INTERRUPTED_ATTEMPT_ERROR, null],
      [2, inbox.id, "succeeded", null, expect.any(Date)],
    ]);
  });

  it("never leaves an event processed without its succeeded attempt when recording the outcome dies halfway (a crash between the two writes)", async () => {
    const clock = manualClock();
    const repository = createInboxRepository();
    const [a, b, c] = [await createWebhookEvent(client), await createWebhookEvent(client), await createWebhookEvent(client)];
    const claimed = await repository.claimDueEvents({ workerId: "dying-worker", now: clock.now(), leaseExpiresAt: new Date(clock.now().getTime() + LEASE_MS), limit: 10 });
    expect(claimed).toHaveLength(3);
    // The attempt row cannot be closed as succeeded: the process "dies" at that write.
    await failAttemptsClosedAsSucceeded(true);
    try {
      const [first, second, third] = claimed;
      if (!first || !second || !third) throw new Error("expected three claims");
      await expect(repository.finishRuns([first, second].map((run) => ({ fence: run.fence, attemptId: run.attemptId, result: { outcome: "succeeded" as const } })), clock.now())).rejects.toThrow();
      await expect(repository.finishRun(third.fence, third.attemptId, clock.now(), { outcome: "succeeded" })).rejects.toThrow();
    } finally {
      await failAttemptsClosedAsSucceeded(false);
    }
    for (const { id } of [a, b, c]) expect((await eventRow(id)).status).toBe("processing");

    clock.advance(LEASE_MS);
    expect(await worker({ now: clock.now }).drain()).toBe(3);
    for (const { id } of [a, b, c]) {
      expect(await eventRow(id)).toMatchObject({ status: "processed", attempts: 2 });
      expect((await attemptsOf(id)).map((attempt) => attempt.outcome)).toEqual(["failed", "succeeded"]);
    }
  });

  it("dead-letters rather than re-runs an event whose final attempt was interrupted", async () => {
    const clock = manualClock();
    const handler = vi.fn<EventHandler>(async () => {});
    const { id } = await createWebhookEvent(client, { type: "poison", status: "failed", attempts: 2 });
    await createInboxRepository().claimDueEvents({ workerId: "crashed-worker", now: clock.now(), leaseExpiresAt: new Date(clock.now().getTime() + LEASE_MS), limit: 10 });
    clock.advance(LEASE_MS);

    await worker({ now: clock.now, maxAttempts: 3, dispatcher: createDispatcher({ overrides: { poison: handler } }) }).drain();

    expect(handler).not.toHaveBeenCalled();
    expect(await eventRow(id)).toMatchObject({ status: "dead", attempts: 4, lastError: "interrupted: attempt 3 never finished and no attempts are left" });
  });

  it("refuses the outcome of a stale worker whose lease expired and was re-claimed", async () => {
    const staleClock = manualClock();
    const freshClock = manualClock();
    const gate = deferred();
    const started = vi.fn();
    const slow: EventHandler = async () => {
      started();
      await gate.promise;
    };
    const { id } = await createWebhookEvent(client, { type: "slow_event" });
    const stale = worker({ now: staleClock.now, dispatcher: createDispatcher({ overrides: { slow_event: slow } }) });
    const fresh = worker({ now: freshClock.now });

    const staleRun = stale.drain();
    await vi.waitFor(() => expect(started).toHaveBeenCalled());
    expect(await fresh.drain()).toBe(0);
    freshClock.advance(LEASE_MS);
    expect(await fresh.drain()).toBe(1);
    staleClock.advance(LEASE_MS + 5_000);
    gate.release();
    await staleRun;

    const row = await eventRow(id);
    expect(row).toMatchObject({ status: "processed", attempts: 2, leaseOwner: null });
    expect(row.processedAt?.toISOString()).toBe(freshClock.now().toISOString());
    const attempts = await attemptsOf(id);
    const byWorker = new Map(attempts.map((attempt) => [attempt.worker, attempt]));
    expect(byWorker.get(fresh.id)).toMatchObject({ attempt: 2, outcome: "succeeded" });
    expect(byWorker.get(stale.id)).toMatchObject({ attempt: 1, outcome: "failed", error: expect.stringMatching(/^lease_lost: .*\(succeeded\) was discarded$/) });
  });

  it("a stale run cannot complete an event its own worker has re-claimed since", async () => {
    const clock = manualClock();
    const { id } = await createWebhookEvent(client);
    const repository = createInboxRepository();
    const [first] = await repository.claimDueEvents({ workerId: "w", now: clock.now(), leaseExpiresAt: new Date(clock.now().getTime() + LEASE_MS), limit: 1 });
    clock.advance(LEASE_MS);
    const [second] = await repository.claimDueEvents({ workerId: "w", now: clock.now(), leaseExpiresAt: new Date(clock.now().getTime() + LEASE_MS), limit: 1 });
    if (!first || !second) throw new Error("expected two claims");

    expect(await repository.finishRun(first.fence, first.attemptId, clock.now(), { outcome: "dead", error: "late" })).toBe(false);
    expect((await eventRow(id)).status).toBe("processing");
    expect(await repository.finishRun(second.fence, second.attemptId, clock.now(), { outcome: "succeeded" })).toBe(true);
    expect((await eventRow(id)).status).toBe("processed");
  });

  it("never hands the same event to two workers claiming at once", async () => {
    const total = 60;
    for (let index = 0; index < total; index += 1) await createWebhookEvent(client);
    // PostgreSQL: two clients, so the claims really race on separate connections. SQLite has one
    // writer and better-sqlite3 blocks the thread while it waits for a lock, so RxWatch keeps one
    // connection per process; the lanes still interleave on it.
    const connections = testProvider() === "postgresql" ? [createDb(url), createDb(url)] : [createDb(url)];
    try {
      const now = new Date(FACTORY_EPOCH.getTime() + 1_000);
      const claimers = connections.flatMap((connection, index) =>
        [0, 1].map((lane) => ({ repository: createInboxRepository(connection), workerId: `worker-${index}-${lane}` })),
      );
      const claimedBy = await Promise.all(
        claimers.map(async ({ repository, workerId }) => {
          const ids: string[] = [];
          for (;;) {
            const batch: ClaimedEvent[] = await repository.claimDueEvents({ workerId, now, leaseExpiresAt: new Date(now.getTime() + LEASE_MS), limit: 7 });
            if (batch.length === 0) return ids;
            ids.push(...batch.map((event) => event.id));
          }
        }),
      );
      const all = claimedBy.flat();
      expect(all).toHaveLength(total);
      expect(new Set(all).size).toBe(total);
      expect(await client.processingAttempt.count()).toBe(total);
      expect(await client.webhookEvent.count({ where: { status: "processing", attempts: 1 } })).toBe(total);
    } finally {
      await Promise.all(connections.map((connection) => connection.$disconnect()));
    }
  });

  it("claims the first due events first, whatever their status, and leaves what is not due or still leased", async () => {
    const at = (seconds: number) => new Date(FACTORY_EPOCH.getTime() + seconds * 1_000);
    const now = at(100);
    const make = (input: Parameters<typeof createWebhookEvent>[1]) => createWebhookEvent(client, input).then((event) => event.id);
    const pendingLate = await make({ status: "pending", nextAttemptAt: at(50) });
    const failedEarly = await make({ status: "failed", nextAttemptAt: at(10), attempts: 1 });
    const abandoned = await make({ status: "processing", nextAttemptAt: at(20), attempts: 1, leaseOwner: "gone", leaseExpiresAt: at(90) });
    const givenBack = await make({ status: "processing", nextAttemptAt: at(30), attempts: 1 });
    const pendingEarly = await make({ status: "pending", nextAttemptAt: at(40) });
    await make({ status: "pending", nextAttemptAt: at(101) });
    await make({ status: "failed", nextAttemptAt: at(200), attempts: 1 });
    await make({ status: "processing", nextAttemptAt: at(5), attempts: 1, leaseOwner: "alive", leaseExpiresAt: at(160) });
    await make({ status: "processed", nextAttemptAt: at(1) });
    const repository = createInboxRepository(client);
    // A claim picks the first due events; it does not promise to hand them over in that order.
    const claim = async (limit: number) => (await repository.claimDueEvents({ workerId: "w", now, leaseExpiresAt: at(160 + limit), limit })).map((event) => event.id).sort();
    expect(await claim(3)).toEqual([failedEarly, abandoned, givenBack].sort());
    expect(await claim(10)).toEqual([pendingEarly, pendingLate].sort());
    expect(await claim(10)).toEqual([]);
  });

  it("re-processes a dead event on demand with a fresh attempt budget, keeping its history, idempotently", async () => {
    let isFixed = false;
    const handler: EventHandler = async () => {
      if (!isFixed) throw new Error("not yet");
    };
    const { id } = await createWebhookEvent(client, { type: "fixable" });
    const inbox = worker({ maxAttempts: 1, dispatcher: createDispatcher({ overrides: { fixable: handler } }) });
    await inbox.drain();
    expect(await eventRow(id)).toMatchObject({ status: "dead", attempts: 1 });

    const first = await reprocessEvent(id);
    expect(first).toMatchObject({ id, status: "pending", previousStatus: "dead" });
    const second = await reprocessEvent(id);
    expect(second).toMatchObject({ id, status: "pending", previousStatus: "pending" });
    expect(await eventRow(id)).toMatchObject({ status: "pending", attempts: 0, lastError: null, leaseOwner: null, processedAt: null });

    isFixed = true;
    expect(await inbox.drain()).toBe(1);
    expect(await eventRow(id)).toMatchObject({ status: "processed", attempts: 1 });
    expect((await attemptsOf(id)).map((attempt) => attempt.outcome)).toEqual(["dead", "succeeded"]);

    expect(await reprocessEvent(id)).toMatchObject({ previousStatus: "processed", status: "pending" });
    await expect(reprocessEvent("no-such-event")).rejects.toThrow(AppError);
  });

  it("re-processes every event matching a filter and leaves the others alone", async () => {
    const deadA = await createWebhookEvent(client, { type: "a", status: "dead", attempts: 8 });
    const deadB = await createWebhookEvent(client, { type: "b", status: "dead", attempts: 8 });
    const processed = await createWebhookEvent(client, { type: "a", status: "processed", attempts: 1 });

    expect(await reprocessEvents({ statuses: ["dead"], eventType: "a" })).toBe(1);
    expect(await eventRow(deadA.id)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await eventRow(deadB.id)).toMatchObject({ status: "dead" });
    expect(await eventRow(processed.id)).toMatchObject({ status: "processed" });
    await expect(reprocessEvents({})).rejects.toThrow();
  });

  it("records a claimed batch of one order's events as one write of the order: it ends at the newest status and live pages get one notice", async () => {
    const orderUid = `ord-batch-${Date.now()}`;
    const steps = ["waiting for pharmacy", "pending review", "in-progress", "ready_for_pickup", "completed"];
    for (const [index, status] of steps.entries()) {
      await createWebhookEvent(client, {
        type: index === 0 ? "pharmacy_order_created" : "pharmacy_order_updated",
        data: { uid: `po-${orderUid}`, status, updated_at: 1_800_000_000 + index, order: { uid: orderUid } },
      });
    }
    await worker({ now: manualClock().now }).drain();
    expect(await client.webhookEvent.count({ where: { status: "processed" } })).toBe(steps.length);
    expect(await client.order.findUnique({ where: { orderUid } })).toMatchObject({ status: "completed", eventCount: steps.length });
    expect(await client.changeNotice.count({ where: { kind: "order", key: orderUid } })).toBe(1);
  });

  it("processes an unknown event type with the fallback handler instead of failing it", async () => {
    const { id } = await createWebhookEvent(client, { type: "appointment_reminder_due", data: { uid: "mtg-1" } });
    await worker({ now: manualClock().now }).drain();
    expect(await eventRow(id)).toMatchObject({ status: "processed", lastError: null });
    expect((await attemptsOf(id)).map((attempt) => attempt.outcome)).toEqual(["succeeded"]);
  });

  it("wakes on signalNewEvents without waiting for its poll, and stop() waits for the handler in flight", async () => {
    const repository = createInboxRepository();
    const claims = vi.fn();
    const observed: typeof repository = {
      ...repository,
      claimDueEvents: async (request) => {
        const claimed = await repository.claimDueEvents(request);
        claims(claimed.length);
        return claimed;
      },
    };
    const gate = deferred();
    const started = vi.fn();
    const gated: EventHandler = async () => {
      started();
      await gate.promise;
    };
    const inbox = worker({ pollMs: 60_000, repository: observed, dispatcher: createDispatcher({ overrides: { gated_event: gated } }) });
    inbox.start();
    try {
      // The start-up pass has looked and found nothing; only a signal can bring the event in before the poll.
      await vi.waitFor(() => expect(claims).toHaveBeenCalledWith(0));
      const { id } = await createWebhookEvent(client, { type: "gated_event", nextAttemptAt: new Date(Date.now() - 1_000) });
      signalNewEvents(1);
      await vi.waitFor(() => expect(started).toHaveBeenCalled(), { timeout: 10_000 });

      let isStopped = false;
      const stopping = inbox.stop().then(() => {
        isStopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(isStopped).toBe(false);
      gate.release();
      await stopping;
      expect(await eventRow(id)).toMatchObject({ status: "processed" });
    } finally {
      gate.release();
      await inbox.stop();
    }
  });
});

// Registered on SQLite only: the plan checked is SQLite's.
if (testProvider() === "sqlite") describe("the inbox claim's plan on SQLite", () => {
  it("walks the (status, next_attempt_at, id) index once per status and stops at the limit, instead of sorting every due event", async () => {
    const runOnSqlite = sqliteRunnerOf(client);
    if (!runOnSqlite) throw new Error("SQLite only");
    const plan = await runOnSqlite((database) =>
      z
        .array(z.object({ detail: z.string() }))
        .parse(database.prepare(`EXPLAIN QUERY PLAN ${SQLITE_CLAIM_SQL}`).all({ workerId: "w", now: "2026-01-01", leaseExpiresAt: "2026-01-01", limit: 16 }))
        .map((row) => row.detail),
    );
    const armScans = plan.filter((detail) => detail.includes("webhook_event_status_next_attempt_at_id_idx"));
    expect(armScans, plan.join("\n")).toHaveLength(3);
    expect(plan.join("\n")).not.toMatch(/MULTI-INDEX OR|LAST TERM OF ORDER BY/);
    // The one sort left orders the at most 3 × limit candidates the arms return.
    expect(plan.filter((detail) => detail.includes("TEMP B-TREE"))).toHaveLength(1);
  });
});
