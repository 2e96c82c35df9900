import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/emulator";
import {
  collectFigures,
  drainEmulator,
  drainProcessing,
  KNOBS,
  postgresDatabase,
  report,
  rxwatchServer,
  sleep,
  sqliteDatabase,
  startLoad,
  type RxwatchServer,
  type TestDatabase,
  expectNothingLostOrDoubled,
} from "./harness";

/*
 * kill -9 during sustained signed load: an instance that dies without any
 * chance to clean up must not have acknowledged anything it had not
 * committed, and whatever it had not acknowledged comes back through
 * RxScale's (the emulator's) retries. Processing that was cut off mid-run is
 * picked up once its lease expires, and runs to success exactly once.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function killRepeatedly(database: TestDatabase): Promise<void> {
  cleanups.push(() => database.stop());
  const server: RxwatchServer = await rxwatchServer(database.url);
  cleanups.push(() => server.stop());
  const emulator: RunningEmulator = await startLoad(server.webhookUrl);
  cleanups.push(() => emulator.stop());

  const downtimesMs: number[] = [];
  for (let kill = 0; kill < KNOBS.kills; kill += 1) {
    // A little jitter so kills land at different points of a batch or a handler run.
    await sleep(KNOBS.secondsBetweenKills * 1_000 * (0.75 + Math.random() * 0.5));
    const killedAt = Date.now();
    await server.kill();
    await server.start();
    downtimesMs.push(Date.now() - killedAt);
  }
  await sleep(KNOBS.secondsBetweenKills * 1_000);
  await drainEmulator(emulator);
  await drainProcessing(database);

  const figures = await collectFigures(emulator, database);
  report(`kill-${database.provider}`, figures, { kills: KNOBS.kills, "mean downtime per kill (ms)": Math.round(downtimesMs.reduce((sum, ms) => sum + ms, 0) / Math.max(1, downtimesMs.length)) });

  expect(figures.acknowledged).toBeGreaterThan(0);
  // Every kill interrupts deliveries: some attempts must have gone unanswered, or nothing was tested.
  expect(figures.unanswered).toBeGreaterThan(0);
  expectNothingLostOrDoubled(figures);
  expect(figures.inconsistentOrders).toBe(0);
}

describe("kill -9 during sustained load", () => {
  it("on SQLite: loses nothing acknowledged, processes each event once, and every retried delivery lands", async () => {
    await killRepeatedly(sqliteDatabase());
  });

  it("on PostgreSQL: loses nothing acknowledged, processes each event once, and every retried delivery lands", async () => {
    await killRepeatedly(await postgresDatabase());
  });
});
