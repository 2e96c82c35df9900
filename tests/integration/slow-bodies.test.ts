import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { POST as postReprocess } from "@/app/api/deliveries/quarantine/reprocess/route";
import { createApiToken } from "@/server/auth/tokens";
import { createDb } from "@/server/core/db";
import { testProvider } from "../support/test-database";

/*
 * Issue 13, finding 8: a body sent a byte at a time, or abandoned midway, over
 * a real socket. The routes are served the way Next.js serves them: the
 * request body is the socket's stream, and the request's signal aborts when
 * the client goes away before the answer.
 */

vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_slow_bodies_secret_0001";
  process.env.RXWATCH_BODY_READ_TIMEOUT_SECONDS = "1";
});

type Handler = (request: Request) => Promise<Response>;

const client = createDb(process.env.DATABASE_URL ?? "");
const servers: http.Server[] = [];
let supportToken = "";

beforeAll(async () => {
  supportToken = (await createApiToken({ name: "support desk", role: "support" }, null)).secret;
});

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await client.$disconnect();
});

/** Serves `handler` like Next.js's Node adapter: streamed body, peer stamped, signal aborted on an early close. */
async function serve(handler: Handler): Promise<number> {
  const server = http.createServer((incoming, outgoing) => {
    const controller = new AbortController();
    outgoing.once("close", () => {
      if (!outgoing.writableFinished) controller.abort();
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
    headers.set("x-rxwatch-peer-address", incoming.socket.remoteAddress ?? "");
    const init: RequestInit & { duplex: "half" } = { method: incoming.method, headers, body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: "half", signal: controller.signal };
    handler(new Request(`http://127.0.0.1${incoming.url ?? "/"}`, init))
      .then(async (response) => {
        outgoing.writeHead(response.status, Object.fromEntries(response.headers.entries()));
        outgoing.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => {
        if (!outgoing.headersSent) outgoing.writeHead(500);
        outgoing.end();
      });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function head(path: string, contentLength: number, headers: Record<string, string> = {}): string {
  const lines = [`POST ${path} HTTP/1.1`, "Host: 127.0.0.1", "Content-Type: application/json", `Content-Length: ${contentLength}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/**
 * Sends `head`, then one byte of body every 200 ms until an answer arrives;
 * resolves with the answer's status line and the body bytes sent.
 */
function sendSlowly(port: number, requestHead: string): Promise<{ statusLine: string; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let bytesSent = 0;
    let answer = "";
    const drip = setInterval(() => {
      socket.write("{");
      bytesSent += 1;
    }, 200);
    socket.on("connect", () => socket.write(requestHead));
    socket.on("data", (data: Buffer) => {
      answer += data.toString("latin1");
      const statusLine = answer.split("\r\n")[0];
      if (statusLine && answer.includes("\r\n")) {
        clearInterval(drip);
        socket.destroy();
        resolve({ statusLine, bytesSent });
      }
    });
    socket.on("error", (error) => {
      clearInterval(drip);
      reject(error);
    });
  });
}

function deliveryMarked(marker: string) {
  return client.delivery.findFirst({ where: { headers: { contains: marker } } });
}

describe(`slow and abandoned bodies on ${testProvider()}`, () => {
  it("answers a webhook body sent a byte at a time 408 at the read deadline and records it as body_timeout", async () => {
    const port = await serve(postWebhook);
    const marker = `slow-sender/${randomUUID()}`;
    const { statusLine, bytesSent } = await sendSlowly(port, head("/api/webhooks/rxscale", 500, { "User-Agent": marker }));
    expect(statusLine).toBe("HTTP/1.1 408 Request Timeout");
    expect(bytesSent).toBeLessThan(500);
    const delivery = await vi.waitFor(async () => {
      const found = await deliveryMarked(marker);
      if (!found) throw new Error("not recorded yet");
      return found;
    });
    expect(delivery).toMatchObject({ outcome: "rejected", reasonCode: "body_timeout", httpStatus: 408, sourceAddress: "127.0.0.1" });
    expect(delivery.bodySize).toBeGreaterThan(0);
    expect(delivery.bodySize).toBeLessThanOrEqual(bytesSent);
  });

  it("records a webhook body the client abandons midway as aborted", async () => {
    const port = await serve(postWebhook);
    const marker = `abandoning-sender/${randomUUID()}`;
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.on("connect", resolve));
    socket.write(head("/api/webhooks/rxscale", 1_000, { "User-Agent": marker }));
    await new Promise<void>((resolve) => socket.write(`{"event_type":"${"x".repeat(90)}`, () => resolve()));
    socket.destroy();
    const delivery = await vi.waitFor(
      async () => {
        const found = await deliveryMarked(marker);
        if (!found) throw new Error("not recorded yet");
        return found;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(delivery).toMatchObject({ outcome: "rejected", reasonCode: "aborted", httpStatus: 400 });
    expect(delivery.bodySize).toBeLessThan(1_000);
  });

  it("answers a JSON API body sent a byte at a time 408 through the same reader", async () => {
    const port = await serve((request) => postReprocess(request, { params: Promise.resolve({}) }));
    const requestHead = head("/api/deliveries/quarantine/reprocess", 200, { Authorization: `Bearer ${supportToken}` });
    const { statusLine } = await sendSlowly(port, requestHead);
    expect(statusLine).toBe("HTTP/1.1 408 Request Timeout");
  });
});
