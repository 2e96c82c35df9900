import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import net from "node:net";
import pg from "pg";
import { createDatabase, startThrowawayPostgres } from "../../scripts/pg-cluster.mjs";
import { ADMIN, expect, pharmacyOrderData, serverLogWriter, SIGNING_SECRET, signIn, test } from "./fixtures";

/*
 * Two production instances (`next start`) on two ports share one throwaway
 * PostgreSQL, as a scaled-out deployment would behind a load balancer.
 * Instance A polls its inbox rarely, so what is ingested at B is processed at
 * B and reaches a browser on A only through PostgreSQL (LISTEN/NOTIFY).
 */

const basePort = Number(process.env.E2E_PORT ?? 3210);

/** `preferred` (next to the suite's own ports) when it is free, else any free port: another program may hold it. */
function pickPort(preferred: number): Promise<number> {
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
      });
    });
  return listen(preferred).catch(() => listen(0));
}

interface Instance {
  url: string;
  process: ChildProcess;
  output: string[];
}

let cluster: { url: string; stop: () => Promise<void> } | null = null;
let databaseUrl = "";
const instances: Instance[] = [];

function startInstance(url: string, extraEnv: Record<string, string>): Instance {
  const port = new URL(url).port;
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", port, "-H", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      RXWATCH_SECRET_KEY: "e2e-secret-key-that-is-long-enough-0123456789",
      RXWATCH_ADMIN_EMAIL: ADMIN.email,
      RXWATCH_ADMIN_PASSWORD: ADMIN.password,
      RXWATCH_DEMO: "0",
      RXSCALE_SIGNING_SECRETS: SIGNING_SECRET,
      RXWATCH_LOGIN_MAX_ATTEMPTS: "1000",
      LOG_LEVEL: "warn",
      ...extraEnv,
    },
  });
  const output: string[] = [];
  // Kept for the failure message; the instances log ids and codes, never payloads, and the log scan checks that.
  const toLog = serverLogWriter(`e2e-multi-instance-${port}`);
  for (const stream of [child.stdout, child.stderr])
    stream?.on("data", (chunk: Buffer) => {
      output.push(chunk.toString("utf8"));
      toLog(chunk);
    });
  return { url, process: child, output };
}

async function waitForHealth(instance: Instance): Promise<void> {
  await expect
    .poll(
      async () => {
        if (instance.process.exitCode !== null) throw new Error(`${instance.url} exited during start-up:\n${instance.output.join("")}`);
        try {
          return (await fetch(`${instance.url}/api/health`)).status;
        } catch {
          return 0;
        }
      },
      { timeout: 90_000, intervals: [250] },
    )
    .toBe(200);
}

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Sends a delivery signed as RxScale would to one instance; returns the event id it acknowledged. */
async function deliver(instanceUrl: string, body: string): Promise<string> {
  const eventType = (JSON.parse(body) as { event_type: string }).event_type;
  const response = await fetch(`${instanceUrl}/api/webhooks/rxscale`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-webhook-event": eventType, "x-webhook-signature": createHmac("sha256", Buffer.from(SIGNING_SECRET, "utf8")).update(body).digest("hex") },
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return (JSON.parse(text) as { event_id: string }).event_id;
}

function envelope(eventType: string, timestamp: number, data: Record<string, unknown>): string {
  return JSON.stringify({ event_type: eventType, timestamp, payload_version: "1", data });
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  cluster = (await startThrowawayPostgres({ log: () => undefined })) as { url: string; stop: () => Promise<void> };
  databaseUrl = (await createDatabase(cluster.url, "rxwatch_multi_instance")) as string;
  const portA = await pickPort(basePort + 2);
  const portB = await pickPort(portA === basePort + 2 ? basePort + 3 : 0);
  // Started together: the migration lock lets only one migrate; the other waits and finds nothing to do.
  instances.push(startInstance(`http://127.0.0.1:${portA}`, { RXWATCH_PROCESSING_POLL_MS: "60000" }), startInstance(`http://127.0.0.1:${portB}`, {}));
  await Promise.all(instances.map(waitForHealth));
});

test.afterAll(async () => {
  await Promise.all(
    instances.map(
      (instance) =>
        new Promise<void>((resolve) => {
          if (instance.process.exitCode !== null) return resolve();
          instance.process.once("exit", () => resolve());
          instance.process.kill("SIGTERM");
        }),
    ),
  );
  await cluster?.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const urlOf = (index: number): string => {
  const instance = instances[index];
  if (!instance) throw new Error("instances not started");
  return instance.url;
};

test("a browser on instance A follows an order ingested and processed at instance B, without reloading", async ({ page }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  const [INSTANCE_A, INSTANCE_B] = [urlOf(0), urlOf(1)];
  await signIn(page, "admin", INSTANCE_A);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await page.evaluate(() => Object.assign(window, { rxwatchNoReload: true }));
  // A holds the one LISTEN connection: it serves the only open stream (B has none, so it does not listen).
  await expect
    .poll(async () => (await query<{ n: string }>(`SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = 'rxwatch-listen' AND datname = current_database()`))[0]?.n)
    .toBe("1");

  let at = now() - 600;
  const created = await deliver(INSTANCE_B, envelope("order_created", at, { uid, status: "waiting for doctor", updated_at: at }));
  const row = page.locator(`[data-order-uid="${uid}"]`);
  await expect(row).toBeVisible();
  at += 60;
  const pharmacy = await deliver(INSTANCE_B, envelope("pharmacy_order_created", at, pharmacyOrderData(uid, "waiting for pharmacy", at)));
  await expect(row.getByText("Waiting for pharmacy", { exact: true })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { rxwatchNoReload?: boolean }).rxwatchNoReload)).toBe(true);

  // The change came from the other instance: B's worker processed both events, so A's page learnt of it through PostgreSQL.
  const bPid = instances[1]?.process.pid;
  const workers = await query<{ worker: string }>(`SELECT worker FROM processing_attempt WHERE event_id = ANY($1) AND outcome = 'succeeded'`, [[created, pharmacy]]);
  expect(workers).toHaveLength(2);
  for (const { worker } of workers) expect(worker).toContain(`:${bPid}:`);
});

test("deliveries spread over both instances, duplicates sent to both, are each processed exactly once", async () => {
  test.setTimeout(90_000);
  const [INSTANCE_A, INSTANCE_B] = [urlOf(0), urlOf(1)];
  const bodies: string[] = [];
  let at = now() - 3_600;
  for (let order = 0; order < 8; order++) {
    const uid = `ord-${randomUUID().slice(0, 8)}`;
    bodies.push(envelope("order_created", (at += 10), { uid, status: "waiting for doctor", updated_at: at }));
    for (const status of ["waiting for pharmacy", "pending review", "in-progress", "completed"]) {
      bodies.push(envelope(status === "waiting for pharmacy" ? "pharmacy_order_created" : "pharmacy_order_updated", (at += 10), pharmacyOrderData(uid, status, at)));
    }
  }
  // Each event goes first to one instance (alternating) and then, as RxScale's retry would, to the other one;
  // a few at a time, so both instances ingest and process concurrently.
  const eventIds: string[] = [];
  for (let start = 0; start < bodies.length; start += 8) {
    const batch = bodies.slice(start, start + 8);
    const ids = await Promise.all(
      batch.map(async (body, offset) => {
        const [first, second] = (start + offset) % 2 === 0 ? [INSTANCE_A, INSTANCE_B] : [INSTANCE_B, INSTANCE_A];
        const id = await deliver(first, body);
        expect(await deliver(second, body)).toBe(id);
        return id;
      }),
    );
    eventIds.push(...ids);
  }
  expect(new Set(eventIds).size).toBe(bodies.length);

  await expect
    .poll(async () => (await query<{ n: string }>(`SELECT COUNT(*) AS n FROM webhook_event WHERE id = ANY($1) AND status = 'processed'`, [eventIds]))[0]?.n, { timeout: 60_000 })
    .toBe(String(bodies.length));

  const deliveries = await query<{ event_id: string; n: string }>(`SELECT event_id, COUNT(*) AS n FROM delivery WHERE event_id = ANY($1) GROUP BY event_id`, [eventIds]);
  expect(deliveries).toHaveLength(bodies.length);
  for (const { n } of deliveries) expect(n).toBe("2");
  const attempts = await query<{ event_id: string; succeeded: string }>(
    `SELECT event_id, COUNT(*) FILTER (WHERE outcome = 'succeeded') AS succeeded FROM processing_attempt WHERE event_id = ANY($1) GROUP BY event_id`,
    [eventIds],
  );
  expect(attempts).toHaveLength(bodies.length);
  for (const attempt of attempts) expect(attempt.succeeded, attempt.event_id).toBe("1");
  const facts = await query<{ n: string }>(`SELECT COUNT(*) AS n FROM order_fact WHERE event_id = ANY($1)`, [eventIds]);
  expect(facts[0]?.n).toBe(String(bodies.length));
  // Both instances' workers took part: the work was spread, not serialised on one.
  const workers = await query<{ pid: string }>(`SELECT DISTINCT split_part(worker, ':', 2) AS pid FROM processing_attempt WHERE event_id = ANY($1)`, [eventIds]);
  expect(workers.map(({ pid }) => Number(pid)).sort()).toEqual(instances.map((instance) => instance.process.pid).sort());
});
