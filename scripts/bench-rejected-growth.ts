// How much an unsigned flood grows the database: N unsigned POSTs of a given size to the webhook route, in-process,
// against a fresh SQLite file; prints the file's growth (database + WAL, after a checkpoint). See docs/ingest.md#rejected-requests
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    bytes: { type: "string", default: String(1024 * 1024) },
    /** Each request from its own source address (as a botnet would), instead of all from one. */
    "many-sources": { type: "boolean", default: false },
  },
});
const requests = Number(values.requests);
const bodyBytes = Number(values.bytes);

const directory = mkdtempSync(path.join(os.tmpdir(), "rxwatch-rejected-growth-"));
const file = path.join(directory, "bench.db");
process.env.DATABASE_URL = `file:${file}`;
process.env.RXWATCH_SECRET_KEY ||= "bench-rejected-growth-secret-key-not-for-production";
process.env.RXSCALE_SIGNING_SECRETS ||= "bench-signing-secret";
process.env.LOG_LEVEL ||= "error";

function fileBytes(): number {
  return [file, `${file}-wal`].reduce((sum, name) => {
    try {
      return sum + statSync(name).size;
    } catch {
      return sum;
    }
  }, 0);
}

async function main(): Promise<void> {
  const { migrateDatabase } = await import("@/server/core/migrations");
  await migrateDatabase(process.env.DATABASE_URL ?? "");
  const { db, closeDb } = await import("@/server/core/db");
  const { POST } = await import("@/app/api/webhooks/rxscale/route");
  const client = await db();
  const checkpoint = () => client.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
  await checkpoint();
  const before = fileBytes();
  const body = randomBytes(bodyBytes);
  const statuses = new Map<number, number>();
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const source = values["many-sources"] ? `198.18.${Math.floor(i / 250)}.${i % 250}` : "198.18.0.1";
    const request = new Request("http://rxwatch.test/api/webhooks/rxscale", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(body.byteLength), "x-rxwatch-peer-address": source },
      body,
    });
    const response = await POST(request);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  }
  const seconds = (performance.now() - started) / 1000;
  await checkpoint();
  const after = fileBytes();
  const rows = await client.delivery.count();
  await closeDb();
  rmSync(directory, { recursive: true, force: true });
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
  console.log(`${requests} unsigned POSTs of ${bodyBytes} bytes from ${values["many-sources"] ? `${requests} sources` : "one source"} in ${seconds.toFixed(1)} s`);
  console.log(`answers: ${[...statuses].map(([status, count]) => `${status} × ${count}`).join(", ")}; delivery rows: ${rows}`);
  console.log(`database + WAL: ${mib(before)} MiB → ${mib(after)} MiB (growth ${mib(after - before)} MiB, ${((after - before) / requests / 1024).toFixed(1)} KiB per request)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
