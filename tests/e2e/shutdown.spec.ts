import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { serverLogWriter } from "./fixtures";

/*
 * Graceful shutdown of a real production server (`next start`, as the Docker
 * image and npm start run it, with NEXT_MANUAL_SIG_HANDLE=1): SIGTERM in the
 * middle of a stream of signed webhooks while the worker processes them.
 * Every delivery acknowledged with a 2xx must be in the database, no lease may
 * remain held, and the process must exit 0 — which it does only after a clean
 * drain within RXWATCH_SHUTDOWN_TIMEOUT_MS (it exits 1 when that runs out).
 */

const SECRET = "whsec_shutdown_e2e_secret_0001";
const SENDERS = 8;
/** SIGTERM goes out once this many deliveries were acknowledged, with senders still sending. */
const ACKS_BEFORE_SIGTERM = 60;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function signedDelivery(): { body: string; signature: string } {
  const body = JSON.stringify({
    event_type: "pharmacy_order_updated",
    timestamp: Math.floor(Date.now() / 1000),
    payload_version: "1",
    data: { uid: `po-${randomUUID()}`, status: "in-progress", patient_data: { display_name: "Erika Beispiel" } },
  });
  return { body, signature: createHmac("sha256", Buffer.from(SECRET, "utf8")).update(body).digest("hex") };
}

test("SIGTERM mid-stream: every acknowledged delivery is stored, no lease stays held, the process exits 0", async () => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), "rxwatch-shutdown-"));
  const databaseFile = path.join(dir, "rxwatch.db");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_MANUAL_SIG_HANDLE: "1",
      DATABASE_URL: `file:${databaseFile}`,
      RXWATCH_SECRET_KEY: "shutdown-e2e-secret-key-long-enough-0123456789",
      RXWATCH_DEMO: "0",
      RXSCALE_SIGNING_SECRETS: SECRET,
      RXWATCH_SHUTDOWN_TIMEOUT_MS: "10000",
    },
  });
  let output = "";
  const toLog = serverLogWriter(`e2e-shutdown-${port}`);
  const append = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    toLog(chunk);
  };
  server.stdout.on("data", append);
  server.stderr.on("data", append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => server.once("exit", (code, signal) => resolve({ code, signal })));

  try {
    await expect.poll(async () => (await fetch(`${base}/api/health`).catch(() => null))?.status, { timeout: 60_000 }).toBe(200);

    const acknowledged: string[] = [];
    let isExited = false;
    void exited.then(() => (isExited = true));
    let sigtermSent = false;
    const sender = async () => {
      while (!isExited) {
        const { body, signature } = signedDelivery();
        try {
          const response = await fetch(`${base}/api/webhooks/rxscale`, { method: "POST", body, headers: { "content-type": "application/json", "x-webhook-signature": signature } });
          const answer = (await response.json()) as { event_id?: string };
          if (response.ok && typeof answer.event_id === "string") acknowledged.push(answer.event_id);
        } catch {
          // Refused or cut off once the server is gone: not acknowledged, RxScale would retry.
        }
        if (!sigtermSent && acknowledged.length >= ACKS_BEFORE_SIGTERM) {
          sigtermSent = true;
          server.kill("SIGTERM");
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));

    expect(await exited, output).toEqual({ code: 0, signal: null });
    expect(output).toContain('"msg":"shut down cleanly"');
    expect(acknowledged.length).toBeGreaterThanOrEqual(ACKS_BEFORE_SIGTERM);

    const database = new Database(databaseFile, { readonly: true });
    try {
      const stored = new Set((database.prepare("SELECT id FROM webhook_event").all() as { id: string }[]).map((row) => row.id));
      const missing = acknowledged.filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
      const held = database.prepare("SELECT COUNT(*) AS count FROM webhook_event WHERE lease_owner IS NOT NULL OR lease_expires_at IS NOT NULL").get() as { count: number };
      expect(held.count).toBe(0);
    } finally {
      database.close();
    }
  } finally {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
