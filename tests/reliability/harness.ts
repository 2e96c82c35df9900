import { expect, onTestFailed } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { startEmulator, type RunningEmulator } from "@/emulator/emulator";
import type { DeliveryRecord } from "@/emulator/delivery";
import { createDatabase, startThrowawayPostgres } from "@/scripts/pg-cluster.mjs";

/*
 * The crash-and-fault harness: a throwaway database, the production server
 * (`next start`, built beforehand) as a child process that can be SIGKILLed
 * and started again on the same port, and the RxScale emulator in this
 * process sending signed traffic with retries on. Afterwards the emulator's
 * per-delivery record (which deliveries got a 2xx, which are still pending)
 * is compared with what the database holds, matched by the body's SHA-256.
 */

const root = path.resolve(import.meta.dirname, "..", "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
/** Each server's output is also kept here, one file per server, so `npm test`'s log scan reads it (scripts/log-scan.ts). */
const SERVER_LOG_DIR = path.join(root, "test-results", "logs");
const FAILURE_TAIL_CHARS = 20_000;
export const SIGNING_SECRET = "whsec_reliability_signing_secret_0001";

// ---------------------------------------------------------------------------
// Knobs

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return value;
}

/** `short` (npm test) or `long` (npm run test:reliability); every figure can be overridden on its own. */
export const SIZE = process.env.RELIABILITY_SIZE === "long" ? "long" : "short";
const isLong = SIZE === "long";

export const KNOBS = {
  /** SIGKILLs per provider in the kill scenario. */
  kills: numberFromEnv("RELIABILITY_KILLS", isLong ? 10 : 3),
  /** Load between two kills, in seconds (the instance is up for roughly this long). */
  secondsBetweenKills: numberFromEnv("RELIABILITY_SECONDS_BETWEEN_KILLS", isLong ? 6 : 3),
  /** New orders per minute of the sustained load (each order sends 6–10 events). */
  ordersPerMinute: numberFromEnv("RELIABILITY_ORDERS_PER_MINUTE", isLong ? 300 : 120),
  /** Mean pause between one order's events, in ms. */
  stepDelayMs: numberFromEnv("RELIABILITY_STEP_DELAY_MS", 400),
  /** How long PostgreSQL stays down in the restart scenario, in seconds. */
  databaseDownSeconds: numberFromEnv("RELIABILITY_DATABASE_DOWN_SECONDS", isLong ? 20 : 5),
  /** PostgreSQL restarts in the restart scenario. */
  databaseRestarts: numberFromEnv("RELIABILITY_DATABASE_RESTARTS", isLong ? 3 : 1),
  /** How long the disk stays full, in seconds. */
  diskFullSeconds: numberFromEnv("RELIABILITY_DISK_FULL_SECONDS", isLong ? 15 : 4),
  /** Minutes of traffic the burst scenario holds back before releasing it at once. */
  burstMinutes: numberFromEnv("RELIABILITY_BURST_MINUTES", isLong ? 30 : 5),
  /** Events per minute of that traffic: the demo's default rate (6 orders a minute, ≈ 1 event a second). */
  burstEventsPerMinute: numberFromEnv("RELIABILITY_BURST_EVENTS_PER_MINUTE", 60),
  /** Fail the burst scenario when any answer took longer than RxScale's 5 s timeout (a timing assertion: for a quiet machine). */
  strictAckBudget: process.env.RELIABILITY_STRICT_ACK_BUDGET === "1",
  /** Fixed port for the server (default: a free one). */
  port: numberFromEnv("RELIABILITY_PORT", 0),
};

// ---------------------------------------------------------------------------
// Databases

export interface TestDatabase {
  provider: "sqlite" | "postgresql";
  url: string;
  query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  stop(): Promise<void>;
}

/** A SQLite file in `dir` (a fresh temp directory by default); queries use their own short connection. */
export function sqliteDatabase(dir = mkdtempSync(path.join(os.tmpdir(), "rxwatch-reliability-"))): TestDatabase {
  const file = path.join(dir, "rxwatch.db");
  return {
    provider: "sqlite",
    url: `file:${file}`,
    query: async <Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) => {
      const connection = new Database(file, { fileMustExist: true, timeout: 10_000 });
      try {
        return connection.prepare(sql.replace(/\$\d+/g, "?")).all(...params) as Row[];
      } finally {
        connection.close();
      }
    },
    stop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface PostgresDatabase extends TestDatabase {
  provider: "postgresql";
  /** Stops the cluster with a fast shutdown (clients are disconnected, committed work is flushed), as an operator's restart does. */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  startServer(): Promise<void>;
}

/** A throwaway PostgreSQL 15 cluster (scripts/pg-cluster.mjs) with an empty database. */
export async function postgresDatabase(): Promise<PostgresDatabase> {
  const cluster = await startThrowawayPostgres({});
  const url = await createDatabase(cluster.url, "rxwatch_reliability");
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => {});
  const pgCtl = (args: string[]) => runAsClusterOwner(cluster.dir, "/usr/lib/postgresql/15/bin/pg_ctl", args);
  const dataDir = path.join(cluster.dir, "data");
  return {
    provider: "postgresql",
    url,
    query: async <Row extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as Row[],
    stopServer: () => pgCtl(["stop", "-D", dataDir, "-m", "fast", "-w"]),
    // Without -o, pg_ctl would start with postgresql.conf alone: the cluster's port and socket directory come from the command line.
    startServer: () => pgCtl(["start", "-D", dataDir, "-l", path.join(cluster.dir, "server.log"), "-w", "-t", "60", "-o", `-p ${cluster.port} -k ${cluster.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`]),
    stop: async () => {
      await pool.end();
      await cluster.stop();
    },
  };
}

/** pg_ctl refuses to run as root; scripts/pg-cluster.mjs hands the cluster to `postgres` then, so we do the same. */
function runAsClusterOwner(cwd: string, bin: string, args: string[]): Promise<void> {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const [command, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(bin)} ${args[0]} failed (${code}): ${stderr.trim()}`))));
  });
}

// ---------------------------------------------------------------------------
// The server

export async function freePort(): Promise<number> {
  if (KNOBS.port > 0) return KNOBS.port;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface RxwatchServer {
  url: string;
  webhookUrl: string;
  /** Everything the server printed (all its lives), for log assertions and failure reports. */
  output(): string;
  /** SIGKILL to the whole process group: no handler runs, nothing is flushed. */
  kill(): Promise<void>;
  /** Starts a new process on the same port and waits until /api/health answers 200. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

// The servers run in their own process groups, so nothing takes them down with us unless we do: on exit, and on
// the signals that end a test run early (a `timeout`, Ctrl-C), where no 'exit' event would come.
const liveChildren = new Set<ChildProcess>();
const killLiveChildren = () => {
  for (const child of liveChildren) if (child.pid) killGroup(child.pid, "SIGKILL");
};
process.once("exit", killLiveChildren);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    killLiveChildren();
    process.kill(process.pid, signal);
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * The production server on `databaseUrl`. It runs in its own process group,
 * so a kill reaches whatever `next start` spawned too.
 */
export async function rxwatchServer(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<RxwatchServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  let child: ChildProcess | null = null;
  mkdirSync(SERVER_LOG_DIR, { recursive: true });
  const logFile = path.join(SERVER_LOG_DIR, `reliability-server-${port}.log`);
  writeFileSync(logFile, "");
  // The server's output reaches the terminal only when the test fails: its last lines (all of it is in logFile).
  onTestFailed(() => console.error(`── the end of ${path.relative(root, logFile)} ──\n${output.slice(-FAILURE_TAIL_CHARS)}`));

  const exited = (process_: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (process_.exitCode !== null || process_.signalCode !== null) return resolve();
      process_.once("exit", () => resolve());
    });

  const start = async () => {
    // Otherwise a stray server on this port would answer the health check in place of ours.
    if (await isListening(port)) throw new Error(`something already listens on port ${port}`);
    const started = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        DATABASE_URL: databaseUrl,
        RXWATCH_SECRET_KEY: "reliability-secret-key-that-is-long-enough-0123456789",
        RXWATCH_DEMO: "0",
        RXSCALE_SIGNING_SECRETS: SIGNING_SECRET,
        // A killed instance's leases must expire soon for the test to see processing catch up (the minimum).
        RXWATCH_PROCESSING_LEASE_SECONDS: "5",
        LOG_LEVEL: "info",
        ...extraEnv,
      },
    });
    child = started;
    liveChildren.add(started);
    started.once("exit", () => liveChildren.delete(started));
    const append = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      appendFileSync(logFile, chunk);
    };
    started.stdout?.on("data", append);
    started.stderr?.on("data", append);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) throw new Error(`the server exited during start-up (${started.exitCode}):\n${output.slice(-3_000)}`);
      try {
        const response = await fetch(`${url}/api/health`);
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error(`the server did not become healthy within 120 s:\n${output.slice(-3_000)}`);
  };

  await start();
  return {
    url,
    webhookUrl: `${url}/api/webhooks/rxscale`,
    output: () => output,
    start,
    kill: async () => {
      const current = child;
      if (!current?.pid) return;
      killGroup(current.pid, "SIGKILL");
      await exited(current);
    },
    stop: async () => {
      const current = child;
      if (!current?.pid) return;
      killGroup(current.pid, "SIGTERM");
      const timer = setTimeout(() => current.pid && killGroup(current.pid, "SIGKILL"), 10_000);
      await exited(current);
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------
// The load

/**
 * The emulator subscribed to the server with every generated event type:
 * retries on, generous enough that no delivery gives up while an instance
 * restarts (1 s, 2 s, 4 s, … capped at 10 s, 30 attempts), and a delivery
 * log large enough to keep every delivery for the comparison.
 */
export async function startLoad(webhookUrl: string, options: { ordersPerMinute?: number; stepDelayMs?: number } = {}): Promise<RunningEmulator> {
  return startEmulator({
    host: "127.0.0.1",
    port: 0,
    ordersPerMinute: options.ordersPerMinute ?? KNOBS.ordersPerMinute,
    stepDelayMs: options.stepDelayMs ?? KNOBS.stepDelayMs,
    target: webhookUrl,
    signingSecret: SIGNING_SECRET,
    testOnCreate: false,
    retryBaseMs: 1_000,
    retryFactor: 2,
    retryMaxDelayMs: 10_000,
    retryMaxAttempts: 30,
    deliveryLogSize: 10_000_000,
    maxActiveOrders: 5_000,
    shutdownGraceMs: 1_000,
    logLevel: "silent",
    log: () => {},
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 250 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * How long draining may take. Generous on purpose: on an overloaded machine a
 * retry storm after the kills can take minutes to work off (docs/reliability.md),
 * and the scenarios test that it ends without loss, not how fast.
 */
export const DRAIN_TIMEOUT_MS = 600_000;

/** Stops new traffic and waits until every delivery is delivered or has given up. */
export async function drainEmulator(emulator: RunningEmulator, timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
  emulator.pause();
  await waitUntil("the emulator's deliveries to settle", () => emulator.state().deliveries.pending === 0, timeoutMs);
}

/** Events not yet processed or dead-lettered. */
export async function unsettledEvents(database: TestDatabase): Promise<number> {
  const [row] = await database.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM webhook_event WHERE status NOT IN ('processed', 'dead')");
  return Number(row?.n ?? 0);
}

/** Waits until processing has caught up: every stored event processed or dead-lettered. */
export async function drainProcessing(database: TestDatabase, timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
  await waitUntil("processing to catch up", async () => (await unsettledEvents(database)) === 0, timeoutMs);
}

// ---------------------------------------------------------------------------
// Figures

export interface Figures {
  /** Distinct events the emulator generated (one delivery each: one subscription per type, no duplicate fault). */
  sent: number;
  /** HTTP attempts made, first and retries. */
  attempts: number;
  /** Attempts answered with a 5xx / that got no answer (connection refused or reset, timeout) / of those, the timeouts (5 s). */
  answered5xx: number;
  unanswered: number;
  timedOut: number;
  /** Events whose delivery got a 2xx. */
  acknowledged: number;
  /** Acknowledged events found in the database. */
  stored: number;
  /** Generated events found in the database (acknowledged or not). */
  storedOfSent: number;
  /** Stored events with exactly one succeeded processing attempt. */
  processed: number;
  /** Processing runs cut off before they could record an outcome (a killed instance's leases), later run again. */
  interruptedRuns: number;
  /** Events processed more than once: two succeeded attempts, or stored twice as two events. */
  duplicatesProcessed: number;
  /** Acknowledged but not in the database. */
  lost: number;
  /** Deliveries the emulator gave up on (all attempts failed). */
  gaveUp: number;
  /** Events dead-lettered by processing. */
  dead: number;
  /** Orders whose event_count disagrees with their stored facts. */
  inconsistentOrders: number;
  /** Longest answer to an attempt that got one, in ms. */
  maxAckMs: number;
}

function isAcknowledged(record: DeliveryRecord): boolean {
  return record.attempts.some((attempt) => attempt.outcome === "delivered");
}

/** Compares the emulator's deliveries with the database. */
export async function collectFigures(emulator: RunningEmulator, database: TestDatabase): Promise<Figures> {
  const deliveries = emulator.deliveries();
  const sentBodies = new Set(deliveries.map((record) => record.body_sha256));
  const acknowledgedBodies = new Set(deliveries.filter(isAcknowledged).map((record) => record.body_sha256));
  const attempts = deliveries.flatMap((record) => record.attempts);

  const events = await database.query<{ body_sha256: string; status: string; succeeded: number | string }>(
    "SELECT e.body_sha256, e.status, (SELECT COUNT(*) FROM processing_attempt a WHERE a.event_id = e.id AND a.outcome = 'succeeded') AS succeeded FROM webhook_event e",
  );
  const storedCount = new Map<string, number>();
  for (const event of events) storedCount.set(event.body_sha256, (storedCount.get(event.body_sha256) ?? 0) + 1);
  const [inconsistent] = await database.query<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM "order" o WHERE o.event_count <> (SELECT COUNT(*) FROM order_fact f WHERE f.order_uid = o.order_uid)`,
  );

  const [interrupted] = await database.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM processing_attempt WHERE error LIKE 'interrupted:%'");
  const storedAcknowledged = [...acknowledgedBodies].filter((body) => storedCount.has(body)).length;
  const succeededTwice = events.filter((event) => Number(event.succeeded) > 1).length;
  const storedTwice = [...storedCount.values()].filter((count) => count > 1).length;
  return {
    sent: sentBodies.size,
    attempts: attempts.length,
    answered5xx: attempts.filter((attempt) => attempt.status_code !== null && attempt.status_code >= 500).length,
    unanswered: attempts.filter((attempt) => attempt.outcome === "network_error" || attempt.outcome === "timeout").length,
    timedOut: attempts.filter((attempt) => attempt.outcome === "timeout").length,
    acknowledged: acknowledgedBodies.size,
    stored: storedAcknowledged,
    storedOfSent: [...sentBodies].filter((body) => storedCount.has(body)).length,
    processed: events.filter((event) => event.status === "processed" && Number(event.succeeded) === 1).length,
    interruptedRuns: Number(interrupted?.n ?? 0),
    duplicatesProcessed: succeededTwice + storedTwice,
    lost: acknowledgedBodies.size - storedAcknowledged,
    gaveUp: deliveries.filter((record) => record.status === "failed").length,
    dead: events.filter((event) => event.status === "dead").length,
    inconsistentOrders: Number(inconsistent?.n ?? 0),
    maxAckMs: Math.max(0, ...attempts.filter((attempt) => attempt.status_code !== null).map((attempt) => attempt.duration_ms)),
  };
}

/** Prints the scenario's table and keeps its figures in test-results/reliability/<name>.json for docs/reliability.md. */
/** The promise every scenario checks: every delivery sent was acknowledged, stored and processed once; none lost, doubled, given up or dead. */
export function expectNothingLostOrDoubled(figures: Figures): void {
  expect(figures.lost).toBe(0);
  expect(figures.duplicatesProcessed).toBe(0);
  expect(figures.gaveUp).toBe(0);
  expect(figures.acknowledged).toBe(figures.sent);
  expect(figures.storedOfSent).toBe(figures.sent);
  expect(figures.dead).toBe(0);
  expect(figures.processed).toBe(figures.sent);
}

export function report(name: string, figures: Figures, extra: Record<string, string | number> = {}): void {
  const rows: [string, string | number][] = [
    ["sent (events)", figures.sent],
    ["attempts", figures.attempts],
    ["  answered 5xx", figures.answered5xx],
    ["  no answer (refused, reset, timeout)", figures.unanswered],
    ["    of which timed out (5 s)", figures.timedOut],
    ["acknowledged (2xx)", figures.acknowledged],
    ["stored (of acknowledged)", figures.stored],
    ["stored (of sent)", figures.storedOfSent],
    ["processed (exactly once)", figures.processed],
    ["  runs interrupted, run again", figures.interruptedRuns],
    ["duplicates processed", figures.duplicatesProcessed],
    ["lost (acknowledged, not stored)", figures.lost],
    ["deliveries given up", figures.gaveUp],
    ["dead-lettered", figures.dead],
    ["max answer time (ms)", figures.maxAckMs],
    ...Object.entries(extra),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log([`── ${name} (${SIZE}) ──`, ...rows.map(([label, value]) => `${label.padEnd(width)}  ${String(value).padStart(8)}`)].join("\n"));
  const dir = path.join(root, "test-results", "reliability");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify({ size: SIZE, ...figures, ...extra }, null, 2)}\n`);
}
