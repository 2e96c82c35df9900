#!/usr/bin/env node
// `npm run bench:ingest [-- --duration 10 --rounds 3 --connections 32 --port 3199 --rebuild --worker --pg --instances 2 --profile DIR --strict]`
//
// Measures the webhook endpoint against a no-op route of the same production
// build, then checks that every event acknowledged with a 2xx is stored.
// Targets, method and figures: docs/ingest.md#benchmark and docs/development.md#benchingest.
import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { ensureProductionBuild } from "./production-build.mjs";
import { ALLOCATOR_ENV } from "./server-process-env.mjs";
import { medianInterval } from "./median-interval.mjs";
import { coresBetween, readCpu } from "./cpu-accounting.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

const { values: options } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
    port: { type: "string", default: "3199" },
    rebuild: { type: "boolean", default: false },
    worker: { type: "boolean", default: false },
    pg: { type: "boolean", default: false },
    instances: { type: "string", default: "1" },
    strict: { type: "boolean", default: false },
    /** Writes a V8 CPU profile of the server into this directory (for tuning). */
    profile: { type: "string" },
  },
});
const DURATION_S = Number(options.duration);
const ROUNDS = Math.max(1, Number(options.rounds));
const WARMUP_S = Number(options.warmup);
const CONNECTIONS = Number(options.connections);
const PORT = Number(options.port);
const INSTANCES = Math.max(1, Number(options.instances));
const BASE_URLS = Array.from({ length: INSTANCES }, (_, index) => `http://127.0.0.1:${PORT + index}`);
const BASE_URL = BASE_URLS[0];
/**
 * Targets from the issue: ingest keeps ≥ 90 % of the no-op's throughput and at most doubles its p99; with the
 * worker on and draining the backlog ingest makes, ≥ 80 % of the no-op's throughput on an idle server.
 */
const MIN_THROUGHPUT_RATIO = options.worker ? 0.8 : 0.9;
const MAX_P99_RATIO = 2;
const SECRET = `whsec_bench_${randomBytes(12).toString("hex")}`;
const RUN_ID = randomBytes(4).toString("hex");

const log = (message) => console.error(`[bench] ${message}`);

// ---------------------------------------------------------------------------
// Build

ensureProductionBuild({ requiredRoutes: ["/api/webhooks/rxscale", "/api/bench/noop"], rebuild: Boolean(options.rebuild), log });

// ---------------------------------------------------------------------------
// Database

let cleanupDatabase = async () => {};
let databaseUrl;
if (options.pg) {
  const { startThrowawayPostgres } = await import("./pg-cluster.mjs");
  const cluster = await startThrowawayPostgres({ log: (message) => log(`pg: ${message}`) });
  databaseUrl = cluster.url;
  cleanupDatabase = () => cluster.stop();
} else if (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "")) {
  databaseUrl = process.env.DATABASE_URL;
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rxwatch-bench-"));
  databaseUrl = `file:${path.join(dir, "rxwatch.db")}`;
  cleanupDatabase = async () => rmSync(dir, { recursive: true, force: true });
}
const provider = databaseUrl.startsWith("file:") ? "sqlite" : "postgresql";
if (INSTANCES > 1 && provider !== "postgresql") {
  log("--instances above 1 needs PostgreSQL (--pg, or DATABASE_URL=postgresql://…): SQLite is one process");
  await cleanupDatabase();
  process.exit(2);
}

/** Ids of the given events that are in the database. */
async function findStoredEventIds(ids) {
  const found = new Set();
  const CHUNK = 500;
  if (provider === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const database = new Database(databaseUrl.replace(/^file:/, ""), { readonly: true });
    try {
      for (let index = 0; index < ids.length; index += CHUNK) {
        const chunk = ids.slice(index, index + CHUNK);
        const rows = database.prepare(`SELECT id FROM webhook_event WHERE id IN (${chunk.map(() => "?").join(",")})`).all(...chunk);
        for (const row of rows) found.add(row.id);
      }
    } finally {
      database.close();
    }
    return found;
  }
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let index = 0; index < ids.length; index += CHUNK) {
      const { rows } = await client.query("SELECT id FROM webhook_event WHERE id = ANY($1)", [ids.slice(index, index + CHUNK)]);
      for (const row of rows) found.add(row.id);
    }
  } finally {
    await client.end();
  }
  return found;
}

/** A `COUNT(*) AS n` query with at most one parameter (written `$1`; `?` on SQLite). */
async function count(sql, ...parameters) {
  if (provider === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const database = new Database(databaseUrl.replace(/^file:/, ""), { readonly: true });
    try {
      return database.prepare(sql.replace("$1", "?")).get(...parameters).n;
    } finally {
      database.close();
    }
  }
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Number((await client.query(sql, parameters)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** Events of this run (their data.uid carries the run id). */
function countRunEvents() {
  return count("SELECT COUNT(*) AS n FROM webhook_event WHERE data_uid LIKE $1", `po-bench-${RUN_ID}-%`);
}

/** Events the worker has yet to finish. */
function countBacklog() {
  return count("SELECT COUNT(*) AS n FROM webhook_event WHERE status IN ('pending', 'processing')");
}

/** With the worker on, the no-op route is measured on an idle server: after the worker has worked off what ingest left. */
async function waitForIdleWorker() {
  const deadline = Date.now() + 300_000;
  let backlog = await countBacklog();
  if (backlog > 0) log(`waiting for the worker to work off ${backlog} events before measuring the no-op route`);
  while (backlog > 0) {
    if (Date.now() > deadline) throw new Error(`the worker still had ${backlog} events to process after 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    backlog = await countBacklog();
  }
}

// ---------------------------------------------------------------------------
// Server

const profileArgs = options.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(options.profile)}`] : [];
const secretKey = process.env.RXWATCH_SECRET_KEY || randomBytes(48).toString("base64");
/** One `next start` per instance, all on the same database with the same keys. */
const servers = BASE_URLS.map((url) => {
  const child = spawn(process.execPath, [...profileArgs, nextBin, "start", "-p", new URL(url).port, "-H", "127.0.0.1"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      ...ALLOCATOR_ENV,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      RXWATCH_BENCH_ROUTES: "1",
      RXSCALE_SIGNING_SECRETS: SECRET,
      RXWATCH_SECRET_KEY: secretKey,
      RXWATCH_WORKER: options.worker ? "1" : "0",
      RXWATCH_DEMO: "0",
      LOG_LEVEL: "warn",
    },
  });
  const server = { url, child, isExited: false };
  child.on("exit", () => {
    server.isExited = true;
  });
  return server;
});

async function stopServer(server) {
  if (server.isExited) return;
  server.child.kill("SIGTERM");
  await new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.child.kill("SIGKILL");
      resolve();
    }, 10_000);
    server.child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function shutdown() {
  await Promise.all(servers.map(stopServer));
  await cleanupDatabase();
}

async function waitForHealth(server) {
  const { url } = server;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.isExited) throw new Error(`the server on ${url} exited during start-up`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server on ${url} did not become healthy within 60 s`);
}

// ---------------------------------------------------------------------------
// Load

let sequence = 0;
const BASE_TIMESTAMP = Math.floor(Date.now() / 1000);

/** A pharmacy_order_created delivery shaped like docs/rxscale.md#example-pharmacy-order (≈1.5 kB), unique per call. */
function nextDelivery() {
  sequence += 1;
  const uid = `po-bench-${RUN_ID}-${sequence}`;
  const body = JSON.stringify({
    event_type: "pharmacy_order_created",
    timestamp: BASE_TIMESTAMP + sequence,
    payload_version: "1",
    data: {
      uid,
      status: "waiting for pharmacy",
      name: `#${sequence}`,
      data: {},
      external_status: "OPEN",
      created_at: BASE_TIMESTAMP,
      updated_at: BASE_TIMESTAMP + sequence,
      deleted_at: null,
      pharmacy: { uid: "ph-bench-01", display_name: "Bench Apotheke" },
      order: {
        uid: `ord-bench-${sequence}`,
        delivery_address: { first_name: "Erika", last_name: "Beispiel", street: "Musterweg", house_number: "12a", zip_code: "20095", city: "Hamburg", country: "Germany", additional_address: null },
        invoice_address: { first_name: "Erika", last_name: "Beispiel", street: "Musterweg", house_number: "12a", zip_code: "20095", city: "Hamburg", country: "Germany", additional_address: null },
        shipping_costs_amount: 495,
        shipping_costs_currency: "EUR",
        priority: 0,
      },
      delivery_type: { uid: "dt-bench-02", display_name: "Express", identifier: "express" },
      order_items: [{ sku: { pzn: "00000000", product_uid: "prod-bench-33", product_display_name: "Demo Product", product_handle: "demo-product" }, pharmacy_sku: { uid: "psku-bench-9", external_id: "PMS-4711", price: 2450, stock: 17 } }],
      patient_data: { uid: "pat-bench-55", display_name: "Erika Beispiel", email: "erika@example.invalid", date_of_birth: "1985-06-30" },
    },
  });
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-webhook-event": "pharmacy_order_created",
      "x-webhook-signature": createHmac("sha256", SECRET).update(body).digest("hex"),
      "user-agent": "rxwatch-bench",
    },
  };
}

/** Runs autocannon against `route`; for the webhook route, collects the acknowledged event ids. */
function load(route, durationS, acknowledged, url = BASE_URL, connections = CONNECTIONS) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: durationS,
        requests: [
          {
            method: "POST",
            path: route,
            setupRequest: (request) => ({ ...request, ...nextDelivery() }),
            onResponse: (status, body) => {
              if (!acknowledged || status < 200 || status >= 300) return;
              acknowledged.push(JSON.parse(body).event_id);
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

function summary(result) {
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Loads every instance at once, each with an equal share of the connections; requests/s add up, p99 is the worst instance's. */
async function loadAll(route, durationS, acknowledged) {
  const share = Math.max(1, Math.floor(CONNECTIONS / BASE_URLS.length));
  const results = (await Promise.all(BASE_URLS.map((url) => load(route, durationS, acknowledged, url, share)))).map(summary);
  const sum = (key) => results.reduce((total, result) => total + result[key], 0);
  return {
    requestsPerSecond: sum("requestsPerSecond"),
    p50: Math.max(...results.map((result) => result.p50)),
    p99: Math.max(...results.map((result) => result.p99)),
    total: sum("total"),
    ok: sum("ok"),
    non2xx: sum("non2xx"),
    errors: sum("errors"),
    timeouts: sum("timeouts"),
  };
}

const format = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "—");

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Whether the rounds settle the median on one side of `target` (scripts/median-interval.mjs). */
function describeInterval(values, target) {
  const interval = medianInterval(values);
  if (!interval) return `fewer than 6 rounds give no 95 % interval for the median: --rounds 8 or more tells noise from a real difference`;
  const range = `95 % interval of the median ${format(interval.low, 2)}–${format(interval.high, 2)}`;
  if (interval.low > target || interval.high < target) return `${range}: the ${values.length} rounds settle which side of ${target} it is on`;
  return `${range}: contains ${target}, so ${values.length} rounds do not settle the verdict`;
}

/**
 * Runs one route's load and adds the cores each part of the machine kept busy meanwhile, and the main thread's CPU
 * per request (scripts/cpu-accounting.mjs); `cpu` is null without /proc.
 */
async function withCpu(runLoad) {
  const pid = servers[0].child.pid;
  const before = readCpu(pid);
  const result = await runLoad();
  const cores = coresBetween(before, readCpu(pid), pid);
  return { ...result, cpu: cores && { ...cores, mainThreadMsPerRequest: (cores.mainThread * 1000) / result.requestsPerSecond } };
}

const CPU_PARTS = Object.entries({ mainThread: "main thread", otherThreads: "other server threads", loadGenerator: "load generator", idle: "idle" });

/** Cores kept busy by each part, no-op → ingest, and the main thread's CPU per request. */
function describeCpu(noop, ingest) {
  const parts = CPU_PARTS.map(([key, label]) => `${label} ${format(noop[key], 2)} → ${format(ingest[key], 2)}`);
  return `cores busy, no-op → ingest: ${parts.join(", ")} of ${os.availableParallelism()}; main thread per request ${format(noop.mainThreadMsPerRequest, 2)} → ${format(ingest.mainThreadMsPerRequest, 2)} ms`;
}

/** Each part's median over the rounds. */
function medianCpu(cpus) {
  return Object.fromEntries([...CPU_PARTS.map(([key]) => key), "mainThreadMsPerRequest"].map((key) => [key, median(cpus.map((cpu) => cpu[key]))]));
}

/** Checks every acknowledged event is stored; prints the counts and returns whether none is missing. */
async function reportStored(acknowledged) {
  const stored = await findStoredEventIds(acknowledged);
  const missing = acknowledged.filter((id) => !stored.has(id));
  const runEvents = await countRunEvents();
  console.log(`acknowledged events (incl. warm-up): ${acknowledged.length}; found in the database: ${acknowledged.length - missing.length}; events of this run stored: ${runEvents}`);
  if (missing.length > 0) console.log(`LOST: ${missing.length} acknowledged events are not in the database (first: ${missing.slice(0, 3).join(", ")})`);
  return missing.length === 0;
}

/** `--instances N`: the webhook route on one instance, then on all N together, per round; the ratio is the median of the rounds'. */
async function runScaleOut() {
  log(`${INSTANCES} instances ready on ${BASE_URLS.join(", ")} (${provider}, worker ${options.worker ? "on" : "off"}); ${CONNECTIONS} connections in total, ${WARMUP_S} s warm-up, ${DURATION_S} s per configuration`);
  const acknowledged = [];
  if (WARMUP_S > 0) await loadAll("/api/webhooks/rxscale", WARMUP_S, acknowledged);
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const one = summary(await load("/api/webhooks/rxscale", DURATION_S, acknowledged));
    const all = await loadAll("/api/webhooks/rxscale", DURATION_S, acknowledged);
    rounds.push({ round, one, all, throughputRatio: all.requestsPerSecond / one.requestsPerSecond, p99Ratio: all.p99 / Math.max(one.p99, 1) });
  }
  console.log(`\nRxWatch ingest benchmark — ${provider}, 1 vs ${INSTANCES} instances, ${CONNECTIONS} connections in total, ${ROUNDS} round(s) of ${DURATION_S} s, worker ${options.worker ? "on" : "off"}`);
  console.log(`${"round  configuration".padEnd(34)}${"req/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"2xx".padStart(9)}${"non-2xx".padStart(9)}${"errors".padStart(8)}`);
  for (const { round, one, all, throughputRatio, p99Ratio } of rounds) {
    for (const [name, row] of [["1 instance", one], [`${INSTANCES} instances`, all]]) {
      console.log(`${`${String(round).padEnd(7)}${name}`.padEnd(34)}${format(row.requestsPerSecond).padStart(10)}${format(row.p50, 0).padStart(9)}${format(row.p99, 0).padStart(9)}${String(row.ok).padStart(9)}${String(row.non2xx).padStart(9)}${String(row.errors + row.timeouts).padStart(8)}`);
    }
    console.log(`${"".padEnd(7)}ratios ${INSTANCES}/1: throughput ${format(throughputRatio, 2)}, p99 ${format(p99Ratio, 2)}`);
  }
  console.log(`median throughput ratio ${INSTANCES}/1: ${format(median(rounds.map((round) => round.throughputRatio)), 2)}`);
  console.log(`median p99 ratio ${INSTANCES}/1:        ${format(median(rounds.map((round) => round.p99Ratio)), 2)}`);
  console.log(`median requests/s: 1 instance ${format(median(rounds.map((round) => round.one.requestsPerSecond)))}, ${INSTANCES} instances ${format(median(rounds.map((round) => round.all.requestsPerSecond)))}; median p99 ms: 1 instance ${format(median(rounds.map((round) => round.one.p99)), 0)}, ${INSTANCES} instances ${format(median(rounds.map((round) => round.all.p99)), 0)}`);
  return reportStored(acknowledged);
}

/** One instance: the webhook route against the no-op route of the same build, per round. */
async function runNoopComparison() {
  log(`server ready on ${BASE_URL} (${provider}, worker ${options.worker ? "on" : "off"}); ${CONNECTIONS} connections, ${WARMUP_S} s warm-up, ${DURATION_S} s per route`);
  const acknowledged = [];
  if (WARMUP_S > 0) {
    await load("/api/bench/noop", WARMUP_S, null);
    await load("/api/webhooks/rxscale", WARMUP_S, acknowledged);
  }
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    if (options.worker) await waitForIdleWorker();
    const noop = await withCpu(async () => summary(await load("/api/bench/noop", DURATION_S, null)));
    const ingest = await withCpu(async () => summary(await load("/api/webhooks/rxscale", DURATION_S, acknowledged)));
    rounds.push({ round, noop, ingest, throughputRatio: ingest.requestsPerSecond / noop.requestsPerSecond, p99Ratio: ingest.p99 / Math.max(noop.p99, 1) });
  }
  const throughputRatio = median(rounds.map((round) => round.throughputRatio));
  const p99Ratio = median(rounds.map((round) => round.p99Ratio));

  console.log(`\nRxWatch ingest benchmark — ${provider}, ${CONNECTIONS} connections, ${ROUNDS} round(s) of ${DURATION_S} s per route, worker ${options.worker ? "on" : "off"}`);
  console.log(`${"round  route".padEnd(34)}${"req/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"2xx".padStart(9)}${"non-2xx".padStart(9)}${"errors".padStart(8)}`);
  for (const { round, noop, ingest, throughputRatio: ratio, p99Ratio: latencyRatio } of rounds) {
    for (const [name, row] of [[options.worker ? "POST /api/bench/noop (idle)" : "POST /api/bench/noop", noop], ["POST /api/webhooks/rxscale", ingest]]) {
      console.log(`${`${String(round).padEnd(7)}${name}`.padEnd(34)}${format(row.requestsPerSecond).padStart(10)}${format(row.p50, 0).padStart(9)}${format(row.p99, 0).padStart(9)}${String(row.ok).padStart(9)}${String(row.non2xx).padStart(9)}${String(row.errors + row.timeouts).padStart(8)}`);
    }
    console.log(`${"".padEnd(7)}ratios: throughput ${format(ratio, 2)}, p99 ${format(latencyRatio, 2)}`);
    if (noop.cpu && ingest.cpu) console.log(`${"".padEnd(7)}${describeCpu(noop.cpu, ingest.cpu)}`);
  }
  const ingestNon2xx = rounds.reduce((sum, round) => sum + round.ingest.non2xx, 0);
  const ingestErrors = rounds.reduce((sum, round) => sum + round.ingest.errors + round.ingest.timeouts, 0);
  const throughputOk = throughputRatio >= MIN_THROUGHPUT_RATIO;
  const p99Ok = p99Ratio <= MAX_P99_RATIO;
  console.log(`median throughput ratio ingest/no-op: ${format(throughputRatio, 2)} (target ≥ ${MIN_THROUGHPUT_RATIO}) ${throughputOk ? "met" : "MISSED"}`);
  console.log(`  ${describeInterval(rounds.map((round) => round.throughputRatio), MIN_THROUGHPUT_RATIO)}`);
  console.log(`median p99 ratio ingest/no-op:        ${format(p99Ratio, 2)} (target ≤ ${MAX_P99_RATIO}) ${p99Ok ? "met" : "MISSED"}`);
  console.log(`  ${describeInterval(rounds.map((round) => round.p99Ratio), MAX_P99_RATIO)}`);
  const cpuRounds = rounds.filter((round) => round.noop.cpu && round.ingest.cpu);
  if (cpuRounds.length > 0) {
    console.log(`median ${describeCpu(medianCpu(cpuRounds.map((round) => round.noop.cpu)), medianCpu(cpuRounds.map((round) => round.ingest.cpu)))}`);
  }
  let exitCode = (await reportStored(acknowledged)) ? 0 : 1;
  if (ingestNon2xx > 0 || ingestErrors > 0) console.log(`note: ingest had ${ingestNon2xx} non-2xx answers and ${ingestErrors} errors/timeouts`);
  if (options.strict && !(throughputOk && p99Ok)) exitCode = 1;
  return exitCode;
}

let exitCode = 0;
try {
  await Promise.all(servers.map(waitForHealth));
  if (INSTANCES > 1) exitCode = (await runScaleOut()) ? 0 : 1;
  else exitCode = await runNoopComparison();
} catch (error) {
  console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await shutdown();
}
process.exit(exitCode);
