import { afterEach, describe, expect, it } from "vitest";
import { collectFigures, drainProcessing, KNOBS, postgresDatabase, report, rxwatchServer, sleep, sqliteDatabase, startLoad, unsettledEvents, waitUntil } from "./harness";

/*
 * The burst after an outage: RxScale could not reach RxWatch for a while,
 * and when it can again, its whole retry backlog arrives at once. The
 * emulator holds KNOBS.burstMinutes of traffic at the demo's rate
 * (KNOBS.burstEventsPerMinute events a minute), then releases every held
 * delivery in the same instant. Ingest must acknowledge all of them without
 * a single 5xx or loss, and processing, which steps back while ingest is
 * busy, catches up afterwards. Whether every answer came within RxScale's
 * 5 s timeout is reported, and asserted with RELIABILITY_STRICT_ACK_BUDGET=1:
 * it measures the machine as much as the code, so it is not asserted on a
 * shared runner.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe("burst after an outage", () => {
  it("acknowledges a released retry backlog without a 5xx or a loss, and processing catches up", async () => {
    const database = process.env.RELIABILITY_BURST_PROVIDER === "postgresql" ? await postgresDatabase() : sqliteDatabase();
    cleanups.push(() => database.stop());
    const server = await rxwatchServer(database.url);
    cleanups.push(() => server.stop());
    const emulator = await startLoad(server.webhookUrl, { ordersPerMinute: 0 });
    cleanups.push(() => emulator.stop());

    const backlog = Math.round(KNOBS.burstMinutes * KNOBS.burstEventsPerMinute);
    // Paused, so orders advance only through the burst (and their later steps do not trickle in afterwards).
    emulator.pause();
    emulator.hold();
    const generated = emulator.burst(backlog);
    await waitUntil("every generated delivery to be held", () => emulator.state().deliveries.held === generated, 30_000);

    const releasedAt = Date.now();
    expect(emulator.release()).toBe(generated);
    let peakBacklog = 0;
    let ingestDrainedMs = 0;
    for (;;) {
      const pendingEvents = await unsettledEvents(database);
      peakBacklog = Math.max(peakBacklog, pendingEvents);
      if (ingestDrainedMs === 0 && emulator.state().deliveries.pending === 0) ingestDrainedMs = Date.now() - releasedAt;
      if (ingestDrainedMs > 0 && pendingEvents === 0) break;
      if (Date.now() - releasedAt > 600_000) throw new Error("the burst did not drain within 10 minutes");
      await sleep(200);
    }
    const drainedMs = Date.now() - releasedAt;
    await drainProcessing(database);

    const figures = await collectFigures(emulator, database);
    report(`burst-${database.provider}`, figures, {
      "held, released at once": generated,
      "minutes of traffic at the demo rate": KNOBS.burstMinutes,
      "peak backlog (events)": peakBacklog,
      "all acknowledged after (ms)": ingestDrainedMs,
      "all processed after (ms)": drainedMs,
    });

    expect(generated).toBeGreaterThanOrEqual(backlog);
    expect(figures.sent).toBe(generated);
    if (KNOBS.strictAckBudget) {
      // RxScale's budget: an answer within 5 s, so not one delivery needed a second attempt.
      expect(figures.timedOut).toBe(0);
      expect(figures.attempts).toBe(figures.sent);
    }
    // Slow is tolerable (RxScale retries), failing is not: every answer that came was a 2xx.
    expect(figures.answered5xx).toBe(0);
    expect(figures.gaveUp).toBe(0);
    expect(figures.acknowledged).toBe(figures.sent);
    expect(figures.lost).toBe(0);
    expect(figures.storedOfSent).toBe(figures.sent);
    expect(figures.duplicatesProcessed).toBe(0);
    expect(figures.dead).toBe(0);
    expect(figures.processed).toBe(figures.sent);
    expect(peakBacklog).toBeGreaterThan(0);
  });
});
