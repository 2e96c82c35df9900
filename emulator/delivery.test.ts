import { afterEach, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "@/tests/support/emulator";
import { Deliverer, retryDelayMs, type DeliveryPolicy } from "./delivery";
import { createLogger } from "./log";
import { signWebhookBody } from "./signature";

const SECRET = "whsec_delivery_test";
const BODY = '{"event_type":"pharmacy_order_updated","timestamp":1795000000,"payload_version":"1","data":{"uid":"po-1","status":"in-progress"}}';
const POLICY: DeliveryPolicy = { timeoutMs: 1_000, retryBaseMs: 40, retryFactor: 2, maxAttempts: 8, retryMaxDelayMs: 10_000, insecureTls: false };

const receivers: WebhookReceiver[] = [];
const deliverers: Deliverer[] = [];
afterEach(async () => {
  await Promise.all(deliverers.splice(0).map((deliverer) => deliverer.stop(0)));
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(...args: Parameters<typeof startWebhookReceiver>): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(...args);
  receivers.push(started);
  return started;
}

function deliverer(policy: Partial<DeliveryPolicy> = {}, lines: string[] = [], logSize = 100): Deliverer {
  const created = new Deliverer({ ...POLICY, ...policy }, createLogger("info", (line) => lines.push(line)), logSize);
  deliverers.push(created);
  return created;
}

function job(target: string) {
  return { eventType: "pharmacy_order_updated", body: BODY, target, signingSecret: SECRET, subscriptionUid: "ns-1", dataUid: "po-1", origin: "send" as const };
}

describe("retryDelayMs", () => {
  it("grows by the factor from the base and stops at the maximum", () => {
    const policy = { retryBaseMs: 1_000, retryFactor: 2, retryMaxDelayMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => retryDelayMs(attempt, policy))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });
});

describe("Deliverer", () => {
  it("POSTs the exact body bytes with RxScale's headers and a signature over them", async () => {
    const target = await receiver();
    const record = deliverer().enqueue(job(target.url));
    const [request] = await target.waitForRequests(1);
    expect(request?.method).toBe("POST");
    expect(request?.body.toString("utf8")).toBe(BODY);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-webhook-event"]).toBe("pharmacy_order_updated");
    expect(request?.headers["x-webhook-signature"]).toBe(signWebhookBody(BODY, SECRET));
    expect(request?.headers["content-length"]).toBe(String(Buffer.byteLength(BODY)));
    const settled = await deliverers[0]?.waitFor(record.id);
    expect(settled).toMatchObject({ status: "delivered", attempts: [{ attempt: 1, outcome: "delivered", status_code: 200, signature: "valid", body: "valid" }] });
  });

  it("holds new deliveries and due retries while held, and sends them all on release", async () => {
    const target = await receiver((_request, index) => (index === 0 ? 503 : 200));
    const engine = deliverer({ retryBaseMs: 20 });
    const retried = engine.enqueue(job(target.url));
    await target.waitForRequests(1);
    engine.hold();
    const fresh = [engine.enqueue(job(target.url)), engine.enqueue(job(target.url))];
    await expect(target.waitForRequests(2, 300)).rejects.toThrow("expected 2 requests, got 1");
    expect(engine.stats).toMatchObject({ pending: 3, held: 3 });
    expect(engine.release()).toBe(3);
    await target.waitForRequests(4);
    const settled = await Promise.all([retried, ...fresh].map((record) => engine.waitFor(record.id)));
    expect(settled.map((record) => record?.status)).toEqual(["delivered", "delivered", "delivered"]);
    expect(engine.stats).toMatchObject({ pending: 0, held: 0, delivered: 3 });
  });

  it("retries a failing target with exponential backoff and stops at the first 2xx", async () => {
    const target = await receiver((_request, index) => (index < 3 ? 503 : 204));
    const engine = deliverer();
    const record = engine.enqueue(job(target.url));
    const settled = await engine.waitFor(record.id);
    expect(settled?.status).toBe("delivered");
    expect(settled?.attempts.map((attempt) => attempt.status_code)).toEqual([503, 503, 503, 204]);
    expect(settled?.attempts.map((attempt) => attempt.outcome)).toEqual(["http_error", "http_error", "http_error", "delivered"]);
    const times = target.requests.map((request) => request.receivedAt);
    const gaps = times.slice(1).map((time, index) => time - (times[index] ?? 0));
    // Timers may fire a millisecond early; the schedule is 40, 80, 160 ms.
    [40, 80, 160].forEach((expected, index) => expect(gaps[index]).toBeGreaterThanOrEqual(expected - 2));
    expect(target.requests.every((request) => request.body.toString("utf8") === BODY)).toBe(true);
  });

  it("gives up after the maximum number of attempts and says so", async () => {
    const target = await receiver(() => 500);
    const lines: string[] = [];
    const engine = deliverer({ maxAttempts: 4, retryBaseMs: 10 }, lines);
    const settled = await engine.waitFor(engine.enqueue(job(target.url)).id);
    expect(settled?.status).toBe("failed");
    expect(settled?.attempts).toHaveLength(4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(target.requests).toHaveLength(4);
    expect(lines.at(-1)).toMatch(/WARNING dlv-\d+ pharmacy_order_updated → http:\/\/127\.0\.0\.1:\d+\/api\/webhooks\/rxscale attempt 4\/4: 500; giving up after 4 attempts/);
    expect(engine.stats).toMatchObject({ failed: 1, pending: 0, attempts: 4 });
  });

  it("counts an answer slower than the timeout as a failed attempt and retries", async () => {
    const target = await receiver((_request, index) => (index === 0 ? "hang" : 200));
    const engine = deliverer({ timeoutMs: 100 });
    const settled = await engine.waitFor(engine.enqueue(job(target.url)).id);
    expect(settled?.attempts.map((attempt) => attempt.outcome)).toEqual(["timeout", "delivered"]);
    expect(settled?.attempts[0]?.duration_ms).toBeGreaterThanOrEqual(95);
  });

  it("retries when the target refuses connections", async () => {
    const target = await receiver();
    const url = target.url;
    await target.close();
    receivers.length = 0;
    const engine = deliverer({ maxAttempts: 2, retryBaseMs: 10 });
    const settled = await engine.waitFor(engine.enqueue(job(url)).id);
    expect(settled).toMatchObject({ status: "failed", attempts: [{ outcome: "network_error", error: "ECONNREFUSED" }, { outcome: "network_error" }] });
  });

  it("sends deliveries to one target concurrently", async () => {
    const target = await receiver((_request, index) => (index < 2 ? "hang" : 200));
    const engine = deliverer({ timeoutMs: 2_000 });
    engine.enqueue(job(target.url));
    engine.enqueue(job(target.url));
    const third = engine.enqueue(job(target.url));
    // The third arrives while the first two are still waiting for an answer.
    expect((await engine.waitFor(third.id))?.status).toBe("delivered");
  });

  it("on stop, reports scheduled retries and unfinished attempts as abandoned instead of dropping them silently", async () => {
    const failing = await receiver(() => 503);
    const hanging = await receiver(() => "hang");
    const lines: string[] = [];
    const engine = deliverer({ retryBaseMs: 10_000, timeoutMs: 5_000 }, lines);
    const retrying = engine.enqueue(job(failing.url));
    await failing.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const inFlight = engine.enqueue(job(hanging.url));
    await hanging.waitForRequests(1);
    const abandoned = await engine.stop(50);
    expect(abandoned.map((record) => record.id).sort()).toEqual([retrying.id, inFlight.id].sort());
    expect(engine.find(retrying.id)?.status).toBe("abandoned");
    expect(engine.find(inFlight.id)?.attempts.at(-1)?.outcome).toBe("aborted");
    expect(lines.some((line) => line.includes("WARNING stopped with 2 deliveries not delivered (abandoned)"))).toBe(true);
    expect(engine.enqueue(job(failing.url)).status).toBe("abandoned");
  });

  it("keeps only the newest settled deliveries in its log, but never drops a pending one", async () => {
    const target = await receiver();
    const hanging = await receiver(() => "hang");
    const engine = deliverer({ timeoutMs: 5_000 }, [], 3);
    const pending = engine.enqueue(job(hanging.url));
    const records = Array.from({ length: 5 }, () => engine.enqueue(job(target.url)));
    await Promise.all(records.map((record) => engine.waitFor(record.id)));
    const listed = engine.list().map((record) => record.id);
    expect(listed).toContain(pending.id);
    expect(listed).toHaveLength(3);
    expect(listed.slice(1)).toEqual(records.slice(-2).map((record) => record.id));
  });

  it("never logs the body or anything from it", async () => {
    const target = await receiver((_request, index) => (index === 0 ? 500 : 200));
    const lines: string[] = [];
    const engine = deliverer({ retryBaseMs: 5 }, lines);
    await engine.waitFor(engine.enqueue({ ...job(`${target.url}?token=abc`), body: '{"data":{"patient_data":{"display_name":"Erika Beispiel"}}}' }).id);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain("Erika");
      expect(line).not.toContain("token=abc");
    }
  });
});
