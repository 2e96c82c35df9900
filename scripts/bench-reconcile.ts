// `npm run bench:reconcile [-- --orders 10000 --keep]`
//
// Reconciles N orders (default 10 000) of the emulator against an empty
// RxWatch on a throwaway SQLite file, with the emulator's rate limits
// (10 requests/s, 600/min), and reports how long it took, how many requests
// it made and how many 429s RxScale answered. The run must complete, having
// checked every order: a 429 it could not absorb would fail it. Runs under tsx
// with the react-server condition so `server-only` resolves. Figures:
// docs/reconciliation.md#benchmark.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: options } = parseArgs({ options: { orders: { type: "string", default: "10000" }, keep: { type: "boolean", default: false } } });
const ORDERS = Math.max(1, Number(options.orders));
const API_KEY = "bench-reconcile-key";
const log = (message: string) => console.error(`[bench] ${message}`);

// env() reads the environment once, on first use: set it before any server module loads.
const directory = mkdtempSync(path.join(os.tmpdir(), "rxwatch-bench-reconcile-"));
process.env.DATABASE_URL = `file:${path.join(directory, "rxwatch.db")}`;
process.env.RXWATCH_SECRET_KEY ||= "bench-reconcile-secret-key-not-for-production-01";
process.env.LOG_LEVEL ||= "warn";

async function main(): Promise<void> {
  const { migrateDatabase } = await import("@/server/core/migrations");
  const { startEmulator } = await import("@/emulator/emulator");
  const { createRxScaleClient } = await import("@/server/rxscale/client");
  const { reconcile } = await import("@/server/reconciliation/reconcile");

  await migrateDatabase(process.env.DATABASE_URL ?? "", root);
  // Every event is dropped: RxScale's order book moves on, RxWatch hears nothing, so every order is compared and found missing.
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0, ordersPerMinute: 0, testOnCreate: false, logLevel: "silent", log: () => {}, seed: 10_000, dropRate: 1, apiKeys: [{ key: API_KEY, permissions: ["order:read", "prescription:read"] }] });
  try {
    emulator.pause();
    while (emulator.orderBook.size < ORDERS) emulator.burst(Math.max(100, (ORDERS - emulator.orderBook.size) * 3));
    const inBook = emulator.orderBook.size;
    log(`emulator holds ${inBook} orders; reconciling`);

    const statuses = new Map<number, number>();
    let waitingMs = 0;
    const countingFetch: typeof fetch = async (input, init) => {
      const sent = performance.now();
      const response = await fetch(input, init);
      await response.clone().arrayBuffer();
      waitingMs += performance.now() - sent;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      return response;
    };
    const client = createRxScaleClient({ baseUrl: emulator.url, apiKey: API_KEY, fetch: countingFetch });
    const started = performance.now();
    let lastReport = started;
    const result = await reconcile({
      trigger: "cli",
      actor: { via: "system", name: "bench:reconcile" },
      actorId: null,
      since: new Date(Date.now() - 24 * 60 * 60 * 1000),
      fill: false,
      client,
      onProgress: (counts) => {
        if (performance.now() - lastReport < 5_000) return;
        lastReport = performance.now();
        log(`${counts.checked} checked after ${((lastReport - started) / 1000).toFixed(1)} s`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const requests = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    const tooMany = statuses.get(429) ?? 0;
    const summary = {
      orders: inBook,
      state: result.state,
      checked: result.checked,
      missing: result.missing,
      seconds: Number(seconds.toFixed(1)),
      requests,
      requestsPerSecond: Number((requests / seconds).toFixed(2)),
      answered429: tooMany,
      /** Time spent waiting for RxScale's answers; the rest is RxWatch comparing and recording (and the shared request budget's pacing). */
      rxscaleSeconds: Number((waitingMs / 1000).toFixed(1)),
      ordersPerSecond: Math.round(result.checked / seconds),
    };
    console.log(JSON.stringify(summary));
    const isOk = result.state === "completed" && result.checked === inBook && result.error === null;
    log(isOk ? `PASS: ${result.checked} orders in ${summary.seconds} s, ${requests} requests (${summary.requestsPerSecond}/s), ${tooMany} answered 429 and absorbed` : `FAIL: ${result.state} ${result.error ?? ""}, ${result.checked} of ${inBook} checked`);
    process.exitCode = isOk ? 0 : 1;
  } finally {
    await emulator.stop();
    if (!options.keep) rmSync(directory, { recursive: true, force: true });
  }
}

await main();
