import http from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from "@/emulator/emulator";

/*
 * Test helpers around the RxScale emulator: start one in-process on a free
 * port with quiet, fast settings, and a local webhook receiver that records
 * what arrives and answers as told.
 */

/** Fast and quiet: no generated traffic, no test delivery on create, short retries, no log output. */
export const TEST_EMULATOR_DEFAULTS: StartEmulatorOptions = {
  host: "127.0.0.1",
  port: 0,
  ordersPerMinute: 0,
  testOnCreate: false,
  retryBaseMs: 20,
  retryMaxDelayMs: 200,
  deliveryTimeoutMs: 1_000,
  shutdownGraceMs: 200,
  logLevel: "silent",
  log: () => {},
};

export const TEST_ADMIN_KEY = "test-admin-key";
export const TEST_READ_ONLY_KEY = "test-read-only-key";
export const TEST_NO_PERMISSION_KEY = "test-no-permission-key";

/** Starts an emulator for one test file or test; call `stop()` afterwards. */
export async function startTestEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({
    ...TEST_EMULATOR_DEFAULTS,
    apiKeys: [
      { key: TEST_ADMIN_KEY, permissions: ["notification_subscription:read", "notification_subscription:write"] },
      { key: TEST_READ_ONLY_KEY, permissions: ["notification_subscription:read"] },
      { key: TEST_NO_PERMISSION_KEY, permissions: [] },
    ],
    ...options,
  });
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  receivedAt: number;
}

/** What the receiver answers to its n-th request (0-based): a status code, or "hang" to never answer. */
export type Responder = (request: ReceivedRequest, index: number) => number | "hang";

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A local HTTP server standing in for RxWatch's webhook endpoint. */
export async function startWebhookReceiver(respond: Responder = () => 200): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const received: ReceivedRequest = { method: request.method ?? "", path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks), receivedAt: Date.now() };
      const index = requests.length;
      requests.push(received);
      for (const waiter of waiters.filter((candidate) => requests.length >= candidate.count)) waiter.resolve();
      const answer = respond(received, index);
      if (answer === "hang") return;
      response.writeHead(answer, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: answer < 300 ? "accepted" : "refused" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address: string | AddressInfo | null = server.address();
  if (address === null || typeof address === "string") throw new Error("receiver is not listening on a TCP port");
  const { port } = address;
  return {
    url: `http://127.0.0.1:${port}/api/webhooks/rxscale`,
    requests,
    waitForRequests: (count, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        if (requests.length >= count) return resolve(requests.slice());
        const timer = setTimeout(() => reject(new Error(`expected ${count} requests, got ${requests.length}`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(requests.slice());
          },
        });
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
