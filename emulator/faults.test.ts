import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from "@/tests/support/emulator";
import { NO_FAULTS, type FaultRates } from "./config";
import { Deliverer } from "./delivery";
import { Dispatcher, type OutgoingEvent } from "./dispatch";
import { ADDED_FIELD, FaultInjector, malformBody, NEW_STATUS, reshapeEvent, VANISHING_FIELD, wrongSignature } from "./faults";
import { createLogger } from "./log";
import type { GeneratedEvent } from "./orders";
import { createRandom } from "./random";
import { signWebhookBody } from "./signature";
import { SubscriptionStore } from "./subscriptions";

const SECRET = "whsec_fault_test";
const quiet = createLogger("silent", () => {});

const receivers: WebhookReceiver[] = [];
const deliverers: Deliverer[] = [];
const dispatchers: Dispatcher[] = [];
afterEach(async () => {
  dispatchers.splice(0).forEach((dispatcher) => dispatcher.stop());
  await Promise.all(deliverers.splice(0).map((deliverer) => deliverer.stop(0)));
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function setUp(rates: Partial<FaultRates>, options: { holdMaxMs?: number; subscribedTypes?: string[] } = {}) {
  const target = await startWebhookReceiver();
  receivers.push(target);
  const subscriptions = new SubscriptionStore();
  for (const type of options.subscribedTypes ?? ["pharmacy_order_updated", "order_updated"]) subscriptions.create({ notification_type: type, target: target.url, signing_secret: SECRET });
  const deliverer = new Deliverer({ timeoutMs: 1_000, retryBaseMs: 30, retryFactor: 2, maxAttempts: 5, retryMaxDelayMs: 1_000, insecureTls: false }, quiet, 1_000);
  deliverers.push(deliverer);
  const random = createRandom(1);
  const faults = new FaultInjector({ ...NO_FAULTS, ...rates }, random);
  const dispatcher = new Dispatcher({ subscriptions, deliverer, faults, random, log: quiet, unknownEventType: "emulator_unknown_event", outOfOrderHoldMaxMs: options.holdMaxMs ?? 10_000 });
  dispatchers.push(dispatcher);
  return { target, deliverer, dispatcher };
}

function event(status: string, updatedAt: number, eventType = "pharmacy_order_updated"): GeneratedEvent {
  return { eventKey: "pharmacyOrderUpdated", eventType, timestamp: updatedAt, orderUid: "ord-1", data: { uid: "po-1", status, updated_at: updatedAt } };
}

const bodySchema = z.object({ data: z.object({ status: z.string() }) });

function statusOf(request: ReceivedRequest): string {
  return bodySchema.parse(JSON.parse(request.body.toString("utf8"))).data.status;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("fault helpers", () => {
  it("malformBody always yields invalid JSON", () => {
    for (const body of ['{"a":1}', JSON.stringify({ event_type: "x", timestamp: 1, payload_version: "1", data: { uid: "po-1", list: [1, 2, { b: "c" }] } }), "{}"]) {
      expect(isJson(malformBody(body))).toBe(false);
    }
  });

  it("wrongSignature looks like a real signature but does not match the body under any issued secret", () => {
    const signature = wrongSignature("{}");
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signature).not.toBe(signWebhookBody("{}", SECRET));
  });

  it("FaultInjector never fires at rate 0, always at 1, and about as often as asked in between", () => {
    const injector = new FaultInjector({ ...NO_FAULTS, duplicate: 1, malformed_body: 0.25 }, createRandom(3));
    let malformed = 0;
    for (let index = 0; index < 4_000; index += 1) {
      expect(injector.roll("duplicate")).toBe(true);
      expect(injector.roll("wrong_signature")).toBe(false);
      if (injector.roll("malformed_body")) malformed += 1;
    }
    expect(malformed / 4_000).toBeGreaterThan(0.22);
    expect(malformed / 4_000).toBeLessThan(0.28);
    expect(injector.update({ duplicate: 0 })).toMatchObject({ duplicate: 0, malformed_body: 0.25 });
  });
});

describe("injected faults", () => {
  it("duplicate: the very same bytes and signature arrive twice", async () => {
    const { target, dispatcher } = await setUp({ duplicate: 1 });
    const records = dispatcher.deliverToSubscribers(event("in-progress", 100), "traffic");
    expect(records).toHaveLength(2);
    expect(records[1]?.duplicate_of).toBe(records[0]?.id);
    const [first, second] = await target.waitForRequests(2);
    expect(second?.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
    expect(second?.headers["x-webhook-signature"]).toBe(first?.headers["x-webhook-signature"]);
  });

  it("wrong_signature: the first attempt's signature fails verification, the retry's passes", async () => {
    const { target, deliverer, dispatcher } = await setUp({ wrong_signature: 1 });
    const [record] = dispatcher.deliverToSubscribers(event("in-progress", 100), "traffic");
    const settled = await deliverer.waitFor(record?.id ?? "");
    // The receiver answers 200 to everything; the emulator only knows it sent a wrong signature.
    expect(settled?.attempts.map((attempt) => attempt.signature)).toEqual(["wrong"]);
    const [request] = target.requests;
    expect(request?.headers["x-webhook-signature"]).toMatch(/^[0-9a-f]{64}$/);
    expect(request?.headers["x-webhook-signature"]).not.toBe(signWebhookBody(request?.body ?? "", SECRET));
  });

  it("wrong_signature: a receiver that refuses it gets a correctly signed retry", async () => {
    const target = await startWebhookReceiver((request) => (request.headers["x-webhook-signature"] === signWebhookBody(request.body, SECRET) ? 200 : 401));
    receivers.push(target);
    const deliverer = new Deliverer({ timeoutMs: 1_000, retryBaseMs: 20, retryFactor: 2, maxAttempts: 5, retryMaxDelayMs: 1_000, insecureTls: false }, quiet, 100);
    deliverers.push(deliverer);
    const record = deliverer.enqueue({ eventType: "pharmacy_order_updated", body: '{"a":1}', target: target.url, signingSecret: SECRET, subscriptionUid: null, dataUid: null, origin: "send", faults: { wrongSignature: true, malformedBody: false, delayedRetry: false } });
    const settled = await deliverer.waitFor(record.id);
    expect(settled?.attempts.map((attempt) => [attempt.status_code, attempt.signature])).toEqual([
      [401, "wrong"],
      [200, "valid"],
    ]);
    expect(settled?.faults).toEqual(["wrong_signature"]);
  });

  it("malformed_body: the first attempt is invalid JSON signed correctly; the retry carries the real body", async () => {
    const target = await startWebhookReceiver((request) => (isJson(request.body.toString("utf8")) ? 200 : 400));
    receivers.push(target);
    const deliverer = new Deliverer({ timeoutMs: 1_000, retryBaseMs: 20, retryFactor: 2, maxAttempts: 5, retryMaxDelayMs: 1_000, insecureTls: false }, quiet, 100);
    deliverers.push(deliverer);
    const body = '{"event_type":"order_updated","timestamp":1,"payload_version":"1","data":{"uid":"ord-1"}}';
    const record = deliverer.enqueue({ eventType: "order_updated", body, target: target.url, signingSecret: SECRET, subscriptionUid: null, dataUid: "ord-1", origin: "send", faults: { wrongSignature: false, malformedBody: true, delayedRetry: false } });
    const settled = await deliverer.waitFor(record.id);
    expect(settled?.attempts.map((attempt) => [attempt.status_code, attempt.body])).toEqual([
      [400, "malformed"],
      [200, "valid"],
    ]);
    const [first, second] = target.requests;
    expect(first?.headers["x-webhook-signature"]).toBe(signWebhookBody(first?.body ?? "", SECRET));
    expect(isJson(first?.body.toString("utf8") ?? "")).toBe(false);
    expect(second?.body.toString("utf8")).toBe(body);
  });

  it("delayed_retry: nothing is sent at first; the only request arrives after the backoff delay", async () => {
    const { target, deliverer, dispatcher } = await setUp({ delayed_retry: 1 });
    const started = Date.now();
    const [record] = dispatcher.deliverToSubscribers(event("in-progress", 100), "traffic");
    const settled = await deliverer.waitFor(record?.id ?? "");
    expect(settled?.attempts.map((attempt) => attempt.outcome)).toEqual(["simulated_failure", "delivered"]);
    expect(target.requests).toHaveLength(1);
    expect((target.requests[0]?.receivedAt ?? 0) - started).toBeGreaterThanOrEqual(28);
  });

  it("out_of_order: an event is held until its successor has been sent, then sent after it", async () => {
    const { target, deliverer, dispatcher } = await setUp({ out_of_order: 1 });
    dispatcher.dispatchGenerated(event("pending review", 100), true, "traffic");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(target.requests).toHaveLength(0);
    expect(dispatcher.heldCount).toBe(1);
    dispatcher.dispatchGenerated(event("in-progress", 101), false, "traffic");
    await target.waitForRequests(2);
    const [successor, held] = deliverer.list();
    expect(successor?.faults).toEqual([]);
    expect(held?.faults).toEqual(["out_of_order"]);
    expect(target.requests.map(statusOf).sort()).toEqual(["in-progress", "pending review"]);
    expect(dispatcher.heldCount).toBe(0);
  });

  it("out_of_order: never holds an order's last event, and releases a held one when its successor does not come in time", async () => {
    const { target, dispatcher } = await setUp({ out_of_order: 1 }, { holdMaxMs: 50 });
    dispatcher.dispatchGenerated(event("completed", 200), false, "traffic");
    await target.waitForRequests(1);
    dispatcher.dispatchGenerated(event("ready_for_pickup", 150), true, "traffic");
    expect(dispatcher.heldCount).toBe(1);
    await target.waitForRequests(2);
    expect(dispatcher.heldCount).toBe(0);
  });

  it("unknown_event_type: an extra event of an undocumented type goes to each subscribed target, correctly signed", async () => {
    const { target, deliverer, dispatcher } = await setUp({ unknown_event_type: 1 });
    dispatcher.dispatchGenerated(event("in-progress", 100), false, "traffic");
    await target.waitForRequests(2);
    const unknown = target.requests.find((request) => request.headers["x-webhook-event"] === "emulator_unknown_event");
    expect(unknown).toBeDefined();
    expect(unknown?.headers["x-webhook-signature"]).toBe(signWebhookBody(unknown?.body ?? "", SECRET));
    expect(JSON.parse(unknown?.body.toString("utf8") ?? "{}")).toMatchObject({ event_type: "emulator_unknown_event", payload_version: "1", data: { order: { uid: "ord-1" } } });
    // Two subscriptions share the target: the unknown event is still sent to it once.
    expect(deliverer.list().filter((record) => record.event_type === "emulator_unknown_event")).toHaveLength(1);
  });

  it("delivers only subscribed event types", async () => {
    const { target, dispatcher } = await setUp({}, { subscribedTypes: ["order_updated"] });
    expect(dispatcher.deliverToSubscribers(event("in-progress", 100), "traffic")).toEqual([]);
    expect(dispatcher.eventsWithoutSubscriber).toBe(1);
    dispatcher.deliverToSubscribers(event("completed", 101, "order_updated"), "traffic");
    const [request] = await target.waitForRequests(1);
    expect(request?.headers["x-webhook-event"]).toBe("order_updated");
  });
});

describe("shape faults", () => {
  const event: OutgoingEvent = { eventType: "pharmacy_order_updated", timestamp: 1_790_000_000, payloadVersion: "1", data: { uid: "po-1", status: "init", created_at: 1, updated_at: 2 } };

  it("leaves an event alone while every shape fault is off", () => {
    expect(reshapeEvent(event, () => false)).toEqual({ event, labels: [] });
  });

  it("adds a field, leaves one out, sends a new status, a numeric payload_version and a string timestamp", () => {
    const { event: reshaped, labels } = reshapeEvent(event, () => true);
    expect(labels).toEqual(["numeric_payload_version", "string_timestamp", "new_field", "vanished_field", "new_status"]);
    expect(JSON.parse(reshaped.rawBody ?? "")).toEqual({
      event_type: "pharmacy_order_updated",
      timestamp: "1790000000",
      payload_version: 1,
      data: { uid: "po-1", status: NEW_STATUS, updated_at: 2, [ADDED_FIELD]: "added by the emulator's new_field fault" },
    });
    expect(event.data).toHaveProperty(VANISHING_FIELD);
  });
});
