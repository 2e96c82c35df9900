import { afterEach, describe, expect, it } from "vitest";
import { collectFigures, DRAIN_TIMEOUT_MS, drainEmulator, drainProcessing, KNOBS, postgresDatabase, report, rxwatchServer, sleep, startLoad, waitUntil, expectNothingLostOrDoubled } from "./harness";

/*
 * PostgreSQL restarts under load: while the database is away, ingest must
 * answer 5xx (so RxScale retries) and never a 2xx for something it did not
 * commit; when the database is back the same server process recovers on its
 * own — no restart of RxWatch — and the retried deliveries land.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe("PostgreSQL restart during load", () => {
  it("answers 5xx while the database is down, recovers by itself, and loses nothing acknowledged", async () => {
    const database = await postgresDatabase();
    cleanups.push(() => database.stop());
    const server = await rxwatchServer(database.url);
    cleanups.push(() => server.stop());
    const emulator = await startLoad(server.webhookUrl);
    cleanups.push(() => emulator.stop());

    const recoveriesMs: number[] = [];
    for (let restart = 0; restart < KNOBS.databaseRestarts; restart += 1) {
      await sleep(3_000);
      await database.stopServer();
      await sleep(KNOBS.databaseDownSeconds * 1_000);
      await database.startServer();
      const backAt = Date.now();
      // Recovered: a delivery first attempted after the database came back got its 2xx.
      await waitUntil(
        "ingest to acknowledge again after the database came back",
        () => emulator.deliveries().some((record) => record.attempts.some((attempt) => attempt.outcome === "delivered" && Date.parse(attempt.started_at) >= backAt)),
        DRAIN_TIMEOUT_MS,
      );
      recoveriesMs.push(
        Math.min(...emulator.deliveries().flatMap((record) => record.attempts.filter((attempt) => attempt.outcome === "delivered" && Date.parse(attempt.started_at) >= backAt).map((attempt) => Date.parse(attempt.started_at) + attempt.duration_ms - backAt))),
      );
    }
    await sleep(3_000);
    await drainEmulator(emulator);
    await drainProcessing(database);

    const figures = await collectFigures(emulator, database);
    report("database-restart", figures, {
      restarts: KNOBS.databaseRestarts,
      "database down per restart (s)": KNOBS.databaseDownSeconds,
      "first 2xx after database back (ms)": Math.max(...recoveriesMs),
    });

    expect(figures.answered5xx).toBeGreaterThan(0);
    expectNothingLostOrDoubled(figures);
    expect(figures.inconsistentOrders).toBe(0);
    expect(server.output()).toContain("could not store a webhook delivery");
  });
});
