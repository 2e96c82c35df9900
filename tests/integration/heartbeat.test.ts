import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/core/db";
import { sendHeartbeat, WORKER_STALLED_AFTER_MS } from "@/server/timers/heartbeat";
import { createWebhookEvent } from "../support/factories";

/** A local monitor: answers each call with the status `answer` says, or never when it says "hang". */
let answer: number | "hang" = 200;
const calls: { method: string; path: string }[] = [];
let server: http.Server;
let base = "";

beforeAll(async () => {
  server = http.createServer((request, response) => {
    calls.push({ method: request.method ?? "", path: request.url ?? "" });
    if (answer === "hang") return;
    response.writeHead(answer);
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("outbound heartbeat", () => {
  it("calls the URL while ingest and the worker are healthy", async () => {
    calls.length = 0;
    expect(await sendHeartbeat(`${base}/ping/secret-token-123`)).toEqual({ sent: true, status: 200 });
    expect(calls).toEqual([{ method: "GET", path: "/ping/secret-token-123" }]);
  });

  it("reports a refusal and a hanging monitor as failures, giving up after the timeout", async () => {
    answer = 503;
    expect(await sendHeartbeat(`${base}/ping/secret-token-123`)).toMatchObject({ sent: false, reason: "failed", status: 503 });
    answer = "hang";
    expect(await sendHeartbeat(`${base}/ping/secret-token-123`, new Date(), 300)).toMatchObject({ sent: false, reason: "failed", error: "timeout" });
    expect(await sendHeartbeat("http://127.0.0.1:9/ping/secret-token-123")).toMatchObject({ sent: false, reason: "failed", status: null });
    answer = 200;
  });

  it("stays silent while the inbox has an event overdue past the stall limit", async () => {
    const now = new Date();
    const client = await db();
    const event = await createWebhookEvent(client, { status: "pending" });
    await client.webhookEvent.update({ where: { id: event.id }, data: { nextAttemptAt: new Date(now.getTime() - WORKER_STALLED_AFTER_MS - 60_000) } });
    calls.length = 0;
    expect(await sendHeartbeat(`${base}/ping/secret-token-123`, now)).toEqual({ sent: false, reason: "worker_stalled" });
    expect(calls).toEqual([]);
    await client.webhookEvent.update({ where: { id: event.id }, data: { status: "processed", nextAttemptAt: now } });
    expect(await sendHeartbeat(`${base}/ping/secret-token-123`, now)).toMatchObject({ sent: true });
  });
});
