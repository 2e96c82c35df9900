#!/usr/bin/env node
// `npm run bench:e2e [-- --events 10000 --connections 32 --port 3299 --pg --instances 2 --rebuild --strict]`
//
// End to end under sustained load, worker on: N unique signed lifecycle events
// (orders × 5 pharmacy-order steps) from 32 connections. Reports ack rate,
// processed rate, peak backlog, ack → visible in /api/orders (p50/p95, during
// the load) and server RSS; checks exactly-once processing and that every order
// reached its final status. Method, targets and figures: docs/ingest.md#benchmark.
import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureProductionBuild } from "./production-build.mjs";
import { ALLOCATOR_ENV } from "./server-process-env.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

const { values: options } = parseArgs({
  options: {
    events: { type: "string", default: "10000" },
    connections: { type: "string", default: "32" },
    port: { type: "string", default: "3299" },
    /** Concurrent ack → visible probes while the load runs. */
    probes: { type: "string", default: "4" },
    /** Seconds to wait for processing to finish after the last acknowledgement. */
    timeout: { type: "string", default: "600" },
    rebuild: { type: "boolean", default: false },
    pg: { type: "boolean", default: false },
    instances: { type: "string", default: "1" },
    strict: { type: "boolean", default: false },
  },
});
const STEPS = ["waiting for pharmacy", "pending review", "in-progress", "ready_for_pickup", "completed"];
const ORDERS = Math.max(1, Math.floor(Number(options.events) / STEPS.length));
const EVENTS = ORDERS * STEPS.length;
const CONNECTIONS = Math.max(1, Number(options.connections));
const PROBES = Math.max(0, Number(options.probes));
const TIMEOUT_MS = Number(options.timeout) * 1000;
const PORT = Number(options.port);
const INSTANCES = Math.max(1, Number(options.instances));
const BASE_URLS = Array.from({ length: INSTANCES }, (_, index) => `http://127.0.0.1:${PORT + index}`);
/** Issue 17's targets: processing keeps pace with acknowledgement, views follow within a second, memory returns. */
const MIN_PROCESSED_TO_ACK = 0.9;
const MAX_VISIBLE_P95_MS = 1_000;
const MAX_RSS_GROWTH = 0.1;
const SECRET = `whsec_bench_${randomBytes(12).toString("hex")}`;
const RUN_ID = randomBytes(4).toString("hex");
const ADMIN = { email: "bench-e2e@example.invalid", password: `bench-${randomBytes(12).toString("hex")}` };

const log = (message) => console.error(`[bench] ${message}`);

ensureProductionBuild({ requiredRoutes: ["/api/webhooks/rxscale", "/api/orders"], rebuild: Boolean(options.rebuild), log });

// ---------------------------------------------------------------------------
// Database (as scripts/bench-ingest.mjs)

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
  const dir = mkdtempSync(path.join(os.tmpdir(), "rxwatch-bench-e2e-"));
  databaseUrl = `file:${path.join(dir, "rxwatch.db")}`;
  cleanupDatabase = async () => rmSync(dir, { recursive: true, force: true });
}
const provider = databaseUrl.startsWith("file:") ? "sqlite" : "postgresql";
if (INSTANCES > 1 && provider !== "postgresql") {
  log("--instances above 1 needs PostgreSQL (--pg, or DATABASE_URL=postgresql://…): SQLite is one process");
  await cleanupDatabase();
  process.exit(2);
}

/** Runs one read-only query with `?` placeholders against the bench database. */
async function query(sql, params = []) {
  if (provider === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const database = new Database(databaseUrl.replace(/^file:/, ""), { readonly: true, timeout: 5_000 });
    try {
      return database.prepare(sql).all(...params);
    } finally {
      database.close();
    }
  }
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let index = 0;
    return (await client.query(sql.replace(/\?/g, () => `$${++index}`), params)).rows;
  } finally {
    await client.end();
  }
}

const runPattern = `po-e2e-${RUN_ID}-%`;
const orderPattern = `ord-e2e-${RUN_ID}-%`;

// ---------------------------------------------------------------------------
// Servers: inspector on so the bench can force a GC before reading RSS.

const secretKey = process.env.RXWATCH_SECRET_KEY || randomBytes(48).toString("base64");
const servers = BASE_URLS.map((url, index) => {
  const inspectPort = PORT + 100 + index;
  const child = spawn(process.execPath, [`--inspect=127.0.0.1:${inspectPort}`, nextBin, "start", "-p", new URL(url).port, "-H", "127.0.0.1"], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      ...ALLOCATOR_ENV,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      RXSCALE_SIGNING_SECRETS: SECRET,
      RXWATCH_SECRET_KEY: secretKey,
      RXWATCH_ADMIN_EMAIL: ADMIN.email,
      RXWATCH_ADMIN_PASSWORD: ADMIN.password,
      RXWATCH_LOGIN_MAX_ATTEMPTS: "1000",
      RXWATCH_WORKER: "1",
      RXWATCH_DEMO: "0",
      LOG_LEVEL: "warn",
    },
  });
  // The inspector announces itself on stderr; everything else is passed through.
  child.stderr.on("data", (chunk) => {
    const text = String(chunk);
    if (!/Debugger listening|For help, see|Debugger attached|Waiting for the debugger/.test(text)) process.stderr.write(text);
  });
  const server = { url, child, inspectPort, isExited: false };
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

async function waitForHealth(server) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.isExited) throw new Error(`the server on ${server.url} exited during start-up`);
    try {
      if ((await fetch(`${server.url}/api/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server on ${server.url} did not become healthy within 90 s`);
}

/** One of the kernel's memory counts for the server process (VmRSS, RssAnon, RssFile), in MiB. */
function statusMiB(server, field) {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${server.child.pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Resident set of the server process, in MiB. */
const rssMiB = (server) => statusMiB(server, "VmRSS");

/**
 * Forces a full GC in the server through the inspector protocol (ws from Playwright's bundle, a dev dependency):
 * in the main thread and in each worker thread (the processing thread has a heap of its own), reached through
 * the NodeWorker domain. Resolves with the JavaScript heap after it, all threads together, in MiB: in use, and
 * committed (what V8 holds from the system, which counts in RSS whether or not objects fill it).
 */
async function collectGarbage(server) {
  const { ws: WebSocket } = createRequire(import.meta.url)("playwright-core/lib/utilsBundle");
  const [target] = await (await fetch(`http://127.0.0.1:${server.inspectPort}/json/list`)).json();
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  const GC = { id: 1, method: "HeapProfiler.collectGarbage" };
  const HEAP = { id: 4, method: "Runtime.getHeapUsage" };
  const heap = await new Promise((resolve, reject) => {
    // Every isolate (main: null) whose heap size has not come back yet; attached workers are announced before the answer to enable.
    const pending = new Set([null]);
    let isWorkerListDone = false;
    const heap = { used: 0, committed: 0 };
    const toWorker = (sessionId, message) => JSON.stringify({ id: 3, method: "NodeWorker.sendMessageToWorker", params: { sessionId, message: JSON.stringify(message) } });
    const answered = (sessionId, answer) => {
      if (answer.id === 1) socket.send(sessionId === null ? JSON.stringify(HEAP) : toWorker(sessionId, HEAP));
      if (answer.id === 4) {
        heap.used += answer.result.usedSize;
        heap.committed += answer.result.totalSize;
        pending.delete(sessionId);
      }
      if (isWorkerListDone && pending.size === 0) resolve(heap);
    };
    socket.on("error", reject);
    socket.on("open", () => {
      socket.send(JSON.stringify(GC));
      socket.send(JSON.stringify({ id: 2, method: "NodeWorker.enable", params: { waitForDebuggerOnStart: false } }));
    });
    socket.on("message", (data) => {
      const message = JSON.parse(String(data));
      if (message.id === 2) isWorkerListDone = true;
      if (message.method === "NodeWorker.attachedToWorker") {
        const { sessionId } = message.params;
        pending.add(sessionId);
        socket.send(toWorker(sessionId, GC));
      }
      if (message.method === "NodeWorker.receivedMessageFromWorker") answered(message.params.sessionId, JSON.parse(message.params.message));
      else answered(null, message);
    });
  });
  socket.close();
  return { used: heap.used / 1024 / 1024, committed: heap.committed / 1024 / 1024 };
}

/** The JavaScript heap (MiB, all threads) found by each server's last settledRss. */
const heapAfterGc = new Map();

/** The resident set's two parts found by each server's last settledRss: anonymous memory (heaps, malloc) and file pages (code, mapped files). */
const rssPartsAfterGc = new Map();

async function settledRss(server) {
  heapAfterGc.set(server, await collectGarbage(server));
  await new Promise((resolve) => setTimeout(resolve, 500));
  rssPartsAfterGc.set(server, { anon: statusMiB(server, "RssAnon"), file: statusMiB(server, "RssFile") });
  return rssMiB(server);
}

async function signIn(url) {
  const response = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
  });
  if (!response.ok) throw new Error(`sign-in failed with ${response.status}`);
  return response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]).join("; ");
}

// ---------------------------------------------------------------------------
// Events: order o's step s is event s·ORDERS + o, so every order moves through its five steps during the load.

const BASE_TIMESTAMP = Math.floor(Date.now() / 1000) - 3_600;

function eventAt(index, prefix = RUN_ID) {
  const order = index % ORDERS;
  const step = Math.floor(index / ORDERS);
  const orderUid = `ord-e2e-${prefix}-${String(order).padStart(6, "0")}`;
  const status = STEPS[step];
  const timestamp = BASE_TIMESTAMP + step * 60;
  const body = JSON.stringify({
    event_type: step === 0 ? "pharmacy_order_created" : "pharmacy_order_updated",
    timestamp,
    payload_version: "1",
    data: {
      uid: `po-e2e-${prefix}-${String(order).padStart(6, "0")}`,
      status,
      name: `#E${order}`,
      external_status: "OPEN",
      created_at: BASE_TIMESTAMP,
      updated_at: timestamp,
      deleted_at: null,
      pharmacy: { uid: "ph-bench-01", display_name: "Bench Apotheke" },
      order: { uid: orderUid, shipping_costs_amount: 495, shipping_costs_currency: "EUR", priority: 0 },
      delivery_type: { uid: "dt-bench-02", display_name: "Express", identifier: "express" },
      order_items: [{ sku: { pzn: "00000000", product_uid: "prod-bench-33", product_display_name: "Demo Product" }, pharmacy_sku: { uid: "psku-bench-9", price: 2450, stock: 17 } }],
      patient_data: { uid: `pat-e2e-${prefix}-${order}` },
    },
  });
  return { orderUid, step, body, eventType: step === 0 ? "pharmacy_order_created" : "pharmacy_order_updated" };
}

/** Posts one event (retrying a non-2xx as RxScale would); resolves with its event id. */
async function send(url, event) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(`${url}/api/webhooks/rxscale`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-webhook-event": event.eventType, "x-webhook-signature": createHmac("sha256", SECRET).update(event.body).digest("hex"), "user-agent": "rxwatch-bench-e2e" },
        body: event.body,
      });
      const text = await response.text();
      if (response.ok) return { eventId: JSON.parse(text).event_id, retries: attempt - 1 };
      if (attempt >= 5) throw new Error(`webhook answered ${response.status} five times`);
    } catch (error) {
      if (attempt >= 5) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const format = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "—");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (up to a minute) until the warm-up's events are processed, so the start figure is taken on an idle server. */
async function waitForWarmUpProcessed(events) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await countProcessed(`po-e2e-warm${RUN_ID}-%`)) >= events) return;
    await sleep(250);
  }
  throw new Error(`the warm-up's ${events} events were not processed within a minute`);
}

/** Processed events whose data.uid matches `pattern` (this run's by default). */
async function countProcessed(pattern = runPattern) {
  const [row] = await query("SELECT COUNT(*) AS n FROM webhook_event WHERE data_uid LIKE ? AND status = 'processed'", [pattern]);
  return Number(row.n);
}

const toMs = (value) => (value instanceof Date ? value.getTime() : typeof value === "number" ? value : /^\d+$/.test(String(value)) ? Number(value) : Date.parse(String(value)));

// ---------------------------------------------------------------------------
// Run

async function run() {
  await Promise.all(servers.map(waitForHealth));
  const cookie = await signIn(BASE_URLS[0]);
  const rssCold = await Promise.all(servers.map(settledRss));
  // Warm-up under another prefix: one order's five steps per connection, all connections at once, so the paths the
  // load takes (group commits and worker batches of every size, their prepared statements, the JIT) are warm and
  // their one-time memory is in the start figure; what the run itself leaves behind is the growth after it.
  const warmOrders = Math.min(CONNECTIONS, ORDERS);
  await Promise.all(
    Array.from({ length: warmOrders }, async (_, order) => {
      for (let step = 0; step < STEPS.length; step += 1) await send(BASE_URLS[order % INSTANCES], eventAt(step * ORDERS + order, `warm${RUN_ID}`));
    }),
  );
  await waitForWarmUpProcessed(warmOrders * STEPS.length);
  const rssStart = await Promise.all(servers.map(settledRss));
  const heapStart = servers.map((server) => heapAfterGc.get(server));
  const rssPartsStart = servers.map((server) => rssPartsAfterGc.get(server));
  const loadAvgStart = os.loadavg();
  log(`${INSTANCES} instance(s) on ${provider}, worker on; ${EVENTS} events (${ORDERS} orders × ${STEPS.length} steps) from ${CONNECTIONS} connections; load average ${loadAvgStart.map((value) => value.toFixed(2)).join(" ")}`);

  const ackAt = new Array(EVENTS);
  const ackLatencyMs = [];
  const eventIds = new Array(EVENTS);
  let next = 0;
  let acked = 0;
  let retries = 0;
  let isLoading = true;
  const startedAt = Date.now();

  // Backlog and RSS, sampled while the load runs and until everything is processed.
  let peakBacklog = 0;
  const rssPeak = [...rssStart];
  let processed = 0;
  let isMonitoring = true;
  const monitor = (async () => {
    while (isMonitoring) {
      processed = await countProcessed();
      peakBacklog = Math.max(peakBacklog, acked - processed);
      servers.forEach((server, index) => {
        rssPeak[index] = Math.max(rssPeak[index], rssMiB(server));
      });
      await sleep(500);
    }
  })();

  // Probes: the newest acknowledged event, polled in /api/orders until its order shows that step (or a later one).
  // A poll that shows the step bounds when it became visible: after the previous poll started, before this one answered.
  // Both bounds are reported: on a saturated server one poll's round trip is most of the figure.
  const visibleMs = [];
  const visibleByStartMs = [];
  const pollMs = [];
  let probesTimedOut = 0;
  async function probe() {
    while (isLoading) {
      const index = [...Array(Math.min(acked, 200)).keys()].map((offset) => next - 1 - offset).find((candidate) => candidate >= 0 && ackAt[candidate] !== undefined);
      if (index === undefined) {
        await sleep(50);
        continue;
      }
      const event = eventAt(index);
      const acknowledgedAt = ackAt[index];
      const deadline = acknowledgedAt + 30_000;
      let previousStart = acknowledgedAt;
      for (;;) {
        const pollStart = Date.now();
        const response = await fetch(`${BASE_URLS[0]}/api/orders?q=${encodeURIComponent(event.orderUid)}&limit=1`, { headers: { cookie } });
        const page = await response.json();
        pollMs.push(Date.now() - pollStart);
        const status = page.orders?.[0]?.status;
        if (status !== undefined && STEPS.indexOf(status) >= event.step) {
          visibleMs.push(Date.now() - acknowledgedAt);
          visibleByStartMs.push(Math.max(0, previousStart - acknowledgedAt));
          break;
        }
        previousStart = pollStart;
        if (Date.now() > deadline) {
          probesTimedOut += 1;
          break;
        }
        await sleep(25);
      }
    }
  }
  const probes = Array.from({ length: PROBES }, probe);

  const senders = Array.from({ length: CONNECTIONS }, async (_, connection) => {
    const url = BASE_URLS[connection % BASE_URLS.length];
    while (next < EVENTS) {
      const index = next++;
      const sentAt = Date.now();
      const result = await send(url, eventAt(index));
      ackAt[index] = Date.now();
      ackLatencyMs.push(ackAt[index] - sentAt);
      eventIds[index] = result.eventId;
      retries += result.retries;
      acked += 1;
    }
  });
  await Promise.all(senders);
  const lastAckAt = Date.now();
  isLoading = false;
  await Promise.all(probes);
  const loadAvgEnd = os.loadavg();

  const processDeadline = Date.now() + TIMEOUT_MS;
  while (processed < EVENTS && Date.now() < processDeadline) await sleep(250);
  isMonitoring = false;
  await monitor;
  processed = await countProcessed();

  // Checks: every event stored once and processed by exactly one successful run; every order at its final status.
  const distinctIds = new Set(eventIds.filter(Boolean));
  const [attemptStats] = await query(
    `SELECT COUNT(*) AS events, SUM(CASE WHEN status = 'processed' THEN 1 ELSE 0 END) AS processed, MAX(processed_at) AS last_processed_at,
       SUM(CASE WHEN (SELECT COUNT(*) FROM processing_attempt AS a WHERE a.event_id = e.id AND a.outcome = 'succeeded') = 1 THEN 1 ELSE 0 END) AS once
     FROM webhook_event AS e WHERE data_uid LIKE ?`,
    [runPattern],
  );
  const [orderStats] = await query(
    `SELECT COUNT(*) AS orders, SUM(CASE WHEN status = ? AND event_count = ? THEN 1 ELSE 0 END) AS final FROM "order" WHERE order_uid LIKE ?`,
    [STEPS[STEPS.length - 1], STEPS.length, orderPattern],
  );
  const lastProcessedAt = toMs(attemptStats.last_processed_at);

  await sleep(2_000);
  const rssAfter = await Promise.all(servers.map(settledRss));
  const heapAfter = servers.map((server) => heapAfterGc.get(server));
  const rssPartsAfter = servers.map((server) => rssPartsAfterGc.get(server));

  const ackSeconds = (lastAckAt - startedAt) / 1000;
  const processedSeconds = (lastProcessedAt - startedAt) / 1000;
  const ackRate = EVENTS / ackSeconds;
  const processedRate = Number(attemptStats.processed) / processedSeconds;
  const ratio = processedRate / ackRate;
  const p50 = percentile(visibleMs, 50);
  const p95 = percentile(visibleMs, 95);
  const rssGrowth = Math.max(...rssAfter.map((after, index) => after / rssStart[index] - 1));

  console.log(`\nRxWatch end-to-end benchmark — ${provider}, ${INSTANCES} instance(s), worker on, ${EVENTS} events (${ORDERS} orders × ${STEPS.length}), ${CONNECTIONS} connections`);
  console.log(`load average at start ${loadAvgStart.map((value) => value.toFixed(2)).join(" ")}, at end of load ${loadAvgEnd.map((value) => value.toFixed(2)).join(" ")}`);
  console.log(`acknowledged: ${EVENTS} in ${format(ackSeconds)} s = ${format(ackRate)} events/s (${retries} retries)`);
  console.log(`ack latency: p50 ${format(percentile(ackLatencyMs, 50), 0)} ms, p99 ${format(percentile(ackLatencyMs, 99), 0)} ms`);
  console.log(`processed:    ${attemptStats.processed} by ${format(processedSeconds)} s = ${format(processedRate)} events/s; processed/ack ${format(ratio, 2)} (target ≥ ${MIN_PROCESSED_TO_ACK}) ${ratio >= MIN_PROCESSED_TO_ACK ? "met" : "MISSED"}`);
  console.log(`peak backlog: ${peakBacklog} events (sampled every 0.5 s)`);
  console.log(`ack → visible in /api/orders: ${visibleMs.length} probes, p50 ${format(p50, 0)} ms, p95 ${format(p95, 0)} ms, max ${format(Math.max(...visibleMs), 0)} ms, ${probesTimedOut} over 30 s (target p95 < ${MAX_VISIBLE_P95_MS} ms) ${p95 < MAX_VISIBLE_P95_MS && probesTimedOut === 0 ? "met" : "MISSED"}`);
  console.log(`  lower bound (start of the poll before the one that saw it): p50 ${format(percentile(visibleByStartMs, 50), 0)} ms, p95 ${format(percentile(visibleByStartMs, 95), 0)} ms; one poll's round trip p50 ${format(percentile(pollMs, 50), 0)} ms, p95 ${format(percentile(pollMs, 95), 0)} ms`);
  servers.forEach((server, index) => {
    console.log(`RSS ${server.url}: cold ${format(rssCold[index], 0)} MiB (before the warm-up), start ${format(rssStart[index], 0)} MiB, peak ${format(rssPeak[index], 0)} MiB, after (GC) ${format(rssAfter[index], 0)} MiB`);
    // The JavaScript part of it: a heap that returns to its start after GC while RSS stays up points at native memory (allocator, SQLite, WASM), not at objects kept alive.
    console.log(`  of it anonymous ${format(rssPartsStart[index].anon, 0)} → ${format(rssPartsAfter[index].anon, 0)} MiB, file pages ${format(rssPartsStart[index].file, 0)} → ${format(rssPartsAfter[index].file, 0)} MiB`);
    console.log(`  JS heap after GC, all threads: in use ${format(heapStart[index].used, 1)} → ${format(heapAfter[index].used, 1)} MiB, committed ${format(heapStart[index].committed, 1)} → ${format(heapAfter[index].committed, 1)} MiB`);
  });
  console.log(`RSS after/start: ${format(1 + rssGrowth, 2)} (target ≤ ${1 + MAX_RSS_GROWTH}) ${rssGrowth <= MAX_RSS_GROWTH ? "met" : "MISSED"}`);
  const isStoredOnce = distinctIds.size === EVENTS && Number(attemptStats.events) === EVENTS;
  const isExactlyOnce = Number(attemptStats.once) === EVENTS && Number(attemptStats.processed) === EVENTS;
  const isFinal = Number(orderStats.orders) === ORDERS && Number(orderStats.final) === ORDERS;
  console.log(`stored once: ${isStoredOnce ? "yes" : "NO"} (${distinctIds.size} distinct acknowledged ids, ${attemptStats.events} events of this run)`);
  console.log(`processed exactly once: ${isExactlyOnce ? "yes" : "NO"} (${attemptStats.once} of ${EVENTS} with exactly one successful run)`);
  console.log(`orders at final status: ${isFinal ? "yes" : "NO"} (${orderStats.final} of ${ORDERS} '${STEPS[STEPS.length - 1]}' with ${STEPS.length} events)`);
  const isCorrect = isStoredOnce && isExactlyOnce && isFinal;
  const isOnTarget = ratio >= MIN_PROCESSED_TO_ACK && p95 < MAX_VISIBLE_P95_MS && probesTimedOut === 0 && rssGrowth <= MAX_RSS_GROWTH;
  return isCorrect && (!options.strict || isOnTarget) ? 0 : 1;
}

let exitCode = 0;
try {
  exitCode = await run();
} catch (error) {
  console.error(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}`);
  exitCode = 1;
} finally {
  await Promise.all(servers.map(stopServer));
  await cleanupDatabase();
}
process.exit(exitCode);
