import http from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { TEST_ADMIN_KEY, TEST_NO_PERMISSION_KEY, TEST_READ_ONLY_KEY, startTestEmulator, startWebhookReceiver, type WebhookReceiver } from "@/tests/support/emulator";
import type { RunningEmulator } from "./emulator";
import { signWebhookBody } from "./signature";

/* The emulator over HTTP, as a Management API client and a test would see it. */

let emulator: RunningEmulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  // This file sends far more than 10 requests a second; the rate limit has its own emulator below.
  emulator = await startTestEmulator({ rateLimitPerSecond: 10_000, rateLimitPerMinute: 100_000 });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});

const SUBSCRIPTIONS = "/v1/management/notification-subscriptions";
const subscriptionSchema = z.object({ uid: z.string(), notification_type: z.string(), target: z.string(), options: z.literal("WEBHOOK"), payload_version: z.literal("1") });
const createdSchema = subscriptionSchema.extend({ signing_secret: z.string().regex(/^whsec_[0-9a-f]{48}$/) });

async function call(method: string, path: string, options: { key?: string | null; body?: unknown; rawBody?: string; on?: RunningEmulator } = {}) {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? TEST_ADMIN_KEY : options.key;
  if (key !== null) headers["x-api-key"] = key;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers["content-type"] = "application/json";
  if (path.startsWith("/_emulator")) {
    headers.authorization = `Bearer ${(options.on ?? emulator).controlToken}`;
    if (method === "POST") headers["content-type"] = "application/json";
  }
  const response = await fetch(`${(options.on ?? emulator).url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? null : (JSON.parse(text) as unknown) };
}

async function create(notificationType: string, target = receiver.url) {
  const response = await call("POST", `${SUBSCRIPTIONS}/`, { body: { notification_type: notificationType, target } });
  expect(response.status).toBe(201);
  return createdSchema.parse(response.json);
}

afterEach(async () => {
  for (const subscription of emulator.subscriptions()) await call("DELETE", `${SUBSCRIPTIONS}/${subscription.uid}`);
});

describe("Management API: subscriptions", () => {
  it("creates a subscription (201 with a whsec_ signing secret) and lists it without the secret, with or without trailing slash", async () => {
    const created = await create("pharmacy_order_created");
    expect(created).toMatchObject({ notification_type: "pharmacy_order_created", target: receiver.url, options: "WEBHOOK", payload_version: "1" });
    expect(created.uid).toMatch(/^ns-/);
    for (const path of [SUBSCRIPTIONS, `${SUBSCRIPTIONS}/`]) {
      const listed = await call("GET", path);
      expect(listed.status).toBe(200);
      expect(listed.json).toEqual([{ uid: created.uid, notification_type: "pharmacy_order_created", target: receiver.url, options: "WEBHOOK", payload_version: "1" }]);
    }
  });

  it("refuses a second subscription for the same event type and target with 409 naming the existing uid", async () => {
    const first = await create("pharmacy_order_updated");
    const again = await call("POST", SUBSCRIPTIONS, { body: { notification_type: "pharmacy_order_updated", target: receiver.url } });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: "A subscription for this notification_type and target already exists", uid: first.uid });
    // Another type to the same target, or the same type to another target, is fine.
    await create("pharmacy_order_created");
    await create("pharmacy_order_updated", "https://rxwatch.example.com/api/webhooks/rxscale");
    // After deleting, the pair can be registered again.
    expect((await call("DELETE", `${SUBSCRIPTIONS}/${first.uid}`)).status).toBe(204);
    await create("pharmacy_order_updated");
  });

  it("deletes by uid in the path, the query string or a JSON body, and answers 404 for an unknown uid", async () => {
    const a = await create("a_event");
    const b = await create("b_event");
    const c = await create("c_event");
    expect((await call("DELETE", `${SUBSCRIPTIONS}/${a.uid}/`)).status).toBe(204);
    expect((await call("DELETE", `${SUBSCRIPTIONS}?uid=${b.uid}`)).status).toBe(204);
    expect((await call("DELETE", `${SUBSCRIPTIONS}/`, { body: { uid: c.uid } })).status).toBe(204);
    expect(emulator.subscriptions()).toEqual([]);
    expect(await call("DELETE", `${SUBSCRIPTIONS}/ns-missing`)).toMatchObject({ status: 404, json: { error: "Subscription not found" } });
    expect(await call("DELETE", SUBSCRIPTIONS)).toMatchObject({ status: 400, json: { field: "uid" } });
  });

  it("names the offending field in validation errors without echoing its value", async () => {
    const cases: [unknown, string, string][] = [
      [{ target: receiver.url }, "notification_type", "notification_type: is required"],
      [{ notification_type: 7, target: receiver.url }, "notification_type", "notification_type: must be a string"],
      [{ notification_type: "x" }, "target", "target: is required"],
      [{ notification_type: "x", target: "not a url" }, "target", "target: must be an absolute URL"],
      [{ notification_type: "x", target: "http://rxwatch.example.com/hook" }, "target", "target: must be an https URL"],
      [{ notification_type: "x", target: "ftp://127.0.0.1/hook" }, "target", "target: must be an https URL"],
      [{ notification_type: "x", target: receiver.url, payload_version: "2" }, "payload_version", 'payload_version: is not supported (only "1" exists)'],
      [{ notification_type: "x", target: receiver.url, meta_data: ["a"] }, "meta_data", "meta_data: must be an object"],
      [["x"], "(body)", "(body): must be a JSON object"],
    ];
    for (const [body, field, error] of cases) expect(await call("POST", SUBSCRIPTIONS, { body })).toMatchObject({ status: 400, json: { field, error } });
    expect(await call("POST", SUBSCRIPTIONS, { rawBody: "{not json" })).toMatchObject({ status: 400, json: { error: "Request body must be valid JSON" } });
  });

  it("accepts https targets and http only on loopback by default; meta_data and payload_version are optional", async () => {
    expect((await call("POST", SUBSCRIPTIONS, { body: { notification_type: "x", target: "https://rxwatch.example.com/hook", meta_data: { team: "ops" }, payload_version: "1" } })).status).toBe(201);
    expect((await call("POST", SUBSCRIPTIONS, { body: { notification_type: "x", target: "http://localhost:3000/hook" } })).status).toBe(201);
  });
});

describe("Management API: keys, permissions, rate limit", () => {
  it("answers health without a key, on both spellings", async () => {
    expect(await call("GET", "/v1/management/health/", { key: null })).toMatchObject({ status: 200, json: { status: "ok" } });
    expect(await call("GET", "/v1/management/health", { key: null })).toMatchObject({ status: 200 });
  });

  it("answers 401 to a missing or unknown key", async () => {
    expect(await call("GET", SUBSCRIPTIONS, { key: null })).toMatchObject({ status: 401, json: { error: "Invalid or missing API key" } });
    expect(await call("GET", SUBSCRIPTIONS, { key: "nope" })).toMatchObject({ status: 401 });
  });

  it("answers 403 Permission Denied when the key lacks the permission", async () => {
    expect((await call("GET", SUBSCRIPTIONS, { key: TEST_READ_ONLY_KEY })).status).toBe(200);
    expect(await call("POST", SUBSCRIPTIONS, { key: TEST_READ_ONLY_KEY, body: { notification_type: "x", target: receiver.url } })).toMatchObject({ status: 403, json: { error: "Permission Denied" } });
    expect((await call("DELETE", `${SUBSCRIPTIONS}/ns-x`, { key: TEST_READ_ONLY_KEY })).status).toBe(403);
    expect((await call("POST", `${SUBSCRIPTIONS}/test`, { key: TEST_READ_ONLY_KEY, body: { uid: "ns-x" } })).status).toBe(403);
    expect((await call("GET", SUBSCRIPTIONS, { key: TEST_NO_PERMISSION_KEY })).status).toBe(403);
  });

  it("answers 405 with Allow for a method the path does not take", async () => {
    const response = await call("PUT", SUBSCRIPTIONS);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, POST, DELETE");
  });

  it("answers 429 Rate limit exceeded with Retry-After past 10 requests a second per key", async () => {
    const limited = await startTestEmulator({ apiKeys: [{ key: "k1", permissions: ["notification_subscription:read"] }, { key: "k2", permissions: ["notification_subscription:read"] }] });
    try {
      const statuses = await Promise.all(Array.from({ length: 15 }, () => call("GET", SUBSCRIPTIONS, { key: "k1", on: limited })));
      expect(statuses.filter((response) => response.status === 200)).toHaveLength(10);
      const refused = statuses.filter((response) => response.status === 429);
      expect(refused).toHaveLength(5);
      expect(refused[0]?.json).toEqual({ error: "Rate limit exceeded" });
      expect(refused[0]?.headers.get("retry-after")).toBe("1");
      expect((await call("GET", SUBSCRIPTIONS, { key: "k2", on: limited })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe("Management API: test deliveries", () => {
  it("sends a signed test delivery to the subscription named by uid and says what it did", async () => {
    const created = await create("pharmacy_order_updated");
    const before = receiver.requests.length;
    const response = await call("POST", `${SUBSCRIPTIONS}/test/`, { body: { uid: created.uid } });
    expect(response.status).toBe(202);
    const answer = z.object({ status: z.literal("queued"), deliveries: z.array(z.object({ delivery_id: z.string(), subscription_uid: z.string(), data_uid: z.string() })) }).parse(response.json);
    expect(answer.deliveries).toHaveLength(1);
    const requests = await receiver.waitForRequests(before + 1);
    const request = requests[before];
    expect(request?.headers["x-webhook-signature"]).toBe(signWebhookBody(request?.body ?? "", created.signing_secret));
    expect(JSON.parse(request?.body.toString("utf8") ?? "")).toMatchObject({ event_type: "pharmacy_order_updated", payload_version: "1", data: { uid: answer.deliveries[0]?.data_uid, test: true, subscription_uid: created.uid } });
  });

  it("sends to every subscription of a notification_type, and answers 404 / 400 when there is none or no selector", async () => {
    await create("order_updated");
    await create("order_updated", "http://127.0.0.1:9/never");
    const response = await call("POST", `${SUBSCRIPTIONS}/test`, { body: { notification_type: "order_updated" } });
    expect(response.status).toBe(202);
    expect(z.object({ deliveries: z.array(z.unknown()) }).parse(response.json).deliveries).toHaveLength(2);
    expect((await call("POST", `${SUBSCRIPTIONS}/test`, { body: { uid: "ns-missing" } })).status).toBe(404);
    expect((await call("POST", `${SUBSCRIPTIONS}/test`, { body: { notification_type: "nothing_subscribed" } })).status).toBe(404);
    expect(await call("POST", `${SUBSCRIPTIONS}/test`, {})).toMatchObject({ status: 400, json: { field: "uid" } });
  });

  it("sends a test delivery on its own after a create when testOnCreate is on", async () => {
    const own = await startTestEmulator({ testOnCreate: true, testOnCreateDelayMs: 10 });
    const target = await startWebhookReceiver();
    try {
      const response = await call("POST", SUBSCRIPTIONS, { on: own, body: { notification_type: "pharmacy_order_created", target: target.url } });
      const [request] = await target.waitForRequests(1);
      expect(request?.headers["x-webhook-signature"]).toBe(signWebhookBody(request?.body ?? "", createdSchema.parse(response.json).signing_secret));
    } finally {
      await own.stop();
      await target.close();
    }
  });

  it("omits signing_secret from the 201 when returnSigningSecret is off, as the docs' example does", async () => {
    const own = await startTestEmulator({ returnSigningSecret: false });
    try {
      const response = await call("POST", SUBSCRIPTIONS, { on: own, body: { notification_type: "x", target: receiver.url } });
      expect(response.status).toBe(201);
      expect(Object.keys(subscriptionSchema.strict().parse(response.json))).not.toContain("signing_secret");
      expect(own.subscriptions()[0]?.signing_secret).toMatch(/^whsec_/);
    } finally {
      await own.stop();
    }
  });
});

describe("emulator controls", () => {
  it("POST /_emulator/send delivers a custom event and, with wait, answers once it settled", async () => {
    const created = await create("pharmacy_order_updated");
    const response = await call("POST", "/_emulator/send", { key: null, body: { event_type: "pharmacy_order_updated", data: { uid: "po-x", status: "completed" }, timestamp: 1_795_000_000, wait: true } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ deliveries: [{ status: "delivered", subscription_uid: created.uid, data_uid: "po-x", origin: "send" }] });
    const last = receiver.requests.at(-1);
    expect(last?.body.toString("utf8")).toBe('{"event_type":"pharmacy_order_updated","timestamp":1795000000,"payload_version":"1","data":{"uid":"po-x","status":"completed"}}');
  });

  it("POST /_emulator/send takes a raw body and forced faults, and refuses an event nobody subscribed to", async () => {
    const target = await startWebhookReceiver();
    try {
      const response = await call("POST", "/_emulator/send", { key: null, body: { event_type: "anything", raw_body: "not json at all", target: target.url, signing_secret: "whsec_x", faults: { duplicate: true }, wait: true } });
      expect(response.status).toBe(200);
      const requests = await target.waitForRequests(2);
      expect(requests.map((request) => request.body.toString("utf8"))).toEqual(["not json at all", "not json at all"]);
      expect(requests[0]?.headers["x-webhook-signature"]).toBe(signWebhookBody("not json at all", "whsec_x"));
    } finally {
      await target.close();
    }
    expect((await call("POST", "/_emulator/send", { key: null, body: { event_type: "nobody_listens" } })).status).toBe(404);
    expect(await call("POST", "/_emulator/send", { key: null, body: { data: {} } })).toMatchObject({ status: 400, json: { field: "event_type" } });
  });

  it("sets fault rates, pauses and resumes, bursts, and shows state and deliveries", async () => {
    expect(await call("POST", "/_emulator/faults", { key: null, body: { preset: "chaos", duplicate: 0 } })).toMatchObject({ status: 200, json: { faults: { duplicate: 0, out_of_order: 0.05 } } });
    expect(await call("POST", "/_emulator/faults", { key: null, body: { preset: "default" } })).toMatchObject({ json: { faults: { out_of_order: 0 } } });
    expect((await call("POST", "/_emulator/faults", { key: null, body: { duplicat: 1 } })).status).toBe(400);
    expect(await call("POST", "/_emulator/pause", { key: null })).toMatchObject({ json: { paused: true } });
    expect(await call("POST", "/_emulator/resume", { key: null })).toMatchObject({ json: { paused: false } });
    expect(await call("POST", "/_emulator/hold", { key: null })).toMatchObject({ json: { holding: true } });
    expect(await call("POST", "/_emulator/release", { key: null })).toMatchObject({ json: { holding: false, released: 0 } });
    await create("order_created");
    const burst = await call("POST", "/_emulator/burst", { key: null, body: { count: 5 } });
    expect(z.object({ events: z.number().min(5) }).parse(burst.json).events).toBeLessThanOrEqual(6);
    const state = await call("GET", "/_emulator/state", { key: null });
    expect(state.json).toMatchObject({ emulator: "rxscale-emulator", paused: false, traffic: { ordersStarted: expect.any(Number) } });
    const deliveries = await call("GET", "/_emulator/deliveries?event_type=order_created&limit=2", { key: null });
    expect(z.object({ deliveries: z.array(z.object({ event_type: z.literal("order_created") })) }).parse(deliveries.json).deliveries.length).toBeGreaterThan(0);
  });
});

/** A control request with exactly these headers (Host included), as a browser or a rebinding page would send it. */
async function rawControl(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  const url = new URL(path, emulator.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, method, path: url.pathname, headers: { ...headers, ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

describe("emulator control access", () => {
  const host = () => new URL(emulator.url).host;
  const token = () => `Bearer ${emulator.controlToken}`;

  it("makes a random control token of at least 128 bits when none is configured, and takes a configured one", async () => {
    expect(emulator.controlToken.length).toBeGreaterThanOrEqual(22);
    const own = await startTestEmulator({ controlToken: "a-chosen-control-token-0001" });
    try {
      expect(own.controlToken).toBe("a-chosen-control-token-0001");
      expect((await call("GET", "/_emulator/state", { on: own, key: null })).status).toBe(200);
    } finally {
      await own.stop();
    }
  });

  it("refuses a control request without the token, with a wrong one, or with an API key instead", async () => {
    expect((await rawControl("GET", "/_emulator/state", { host: host() })).status).toBe(401);
    expect((await rawControl("GET", "/_emulator/state", { host: host(), authorization: "Bearer wrong-token-wrong-token" })).status).toBe(401);
    expect((await rawControl("POST", "/_emulator/pause", { host: host(), "x-api-key": TEST_ADMIN_KEY, "content-type": "application/json" }, "{}")).status).toBe(401);
    expect(emulator.state().paused).toBe(false);
  });

  it("refuses a Host that does not name the emulator (DNS rebinding), even with the token", async () => {
    for (const foreign of ["evil.example", `evil.example:${new URL(emulator.url).port}`, "127.0.0.1:1", "rxwatch.test"]) {
      expect((await rawControl("GET", "/_emulator/state", { host: foreign, authorization: token() })).status, foreign).toBe(403);
    }
    expect((await rawControl("GET", "/_emulator/state", { host: `localhost:${new URL(emulator.url).port}`, authorization: token() })).status).toBe(200);
  });

  it("refuses a cross-site request and any POST that is not JSON, so a page cannot pause it", async () => {
    const pause = (headers: Record<string, string>, body = "{}") => rawControl("POST", "/_emulator/pause", { host: host(), authorization: token(), ...headers }, body);
    expect((await pause({ origin: "https://evil.example", "content-type": "application/json" })).status).toBe(403);
    expect((await pause({ origin: "null", "content-type": "application/json" })).status).toBe(403);
    expect((await pause({ "content-type": "text/plain" })).status).toBe(415);
    expect((await pause({ "content-type": "application/x-www-form-urlencoded" }, "a=1")).status).toBe(415);
    expect((await pause({})).status).toBe(415);
    expect(emulator.state().paused).toBe(false);
    expect((await pause({ origin: emulator.url, "content-type": "application/json; charset=utf-8" })).status).toBe(200);
    expect(emulator.state().paused).toBe(true);
    expect((await call("POST", "/_emulator/resume", { key: null })).json).toEqual({ paused: false });
  });

  it("never returns a signing secret from the state, the delivery log or a rotation", async () => {
    const created = await create("order_created");
    await call("POST", "/_emulator/send", { key: null, body: { event_type: "order_created", data: { uid: "o-secret" }, wait: true } });
    const rotated = await call("POST", `/_emulator/subscriptions/${created.uid}/rotate-secret`, { key: null, body: {} });
    const secret = emulator.subscriptions().find((subscription) => subscription.uid === created.uid)?.signing_secret ?? "";
    expect(secret).toMatch(/^whsec_/);
    for (const path of ["/_emulator/state", "/_emulator", "/_emulator/deliveries?limit=10000"]) {
      const text = JSON.stringify((await call("GET", path, { key: null })).json);
      expect(text, path).not.toContain(secret);
      expect(text, path).not.toContain(created.signing_secret);
      expect(text, path).not.toContain("signing_secret");
    }
    expect(JSON.stringify(rotated.json)).not.toContain("whsec_");
  });
});

describe("secret rotation control", () => {
  it("switches a subscription to a new signing secret for later deliveries", async () => {
    const created = await create("pharmacy_order_updated");
    const rotated = await call("POST", `/_emulator/subscriptions/${created.uid}/rotate-secret`, { key: null, body: { signing_secret: "whsec_rotated_0001" } });
    expect(rotated).toEqual(expect.objectContaining({ status: 200, json: { uid: created.uid, rotated: true } }));
    const sent = await call("POST", "/_emulator/send", { key: null, body: { event_type: "pharmacy_order_updated", data: { uid: "po-rot" }, subscription_uid: created.uid, wait: true } });
    expect(sent.status).toBe(200);
    const request = receiver.requests.at(-1);
    expect(request?.headers["x-webhook-signature"]).toBe(signWebhookBody(request?.body ?? "", "whsec_rotated_0001"));
    expect((await call("POST", "/_emulator/subscriptions/ns-missing/rotate-secret", { key: null, body: {} })).status).toBe(404);
    const random = await call("POST", `/_emulator/subscriptions/${created.uid}/rotate-secret`, { key: null, body: {} });
    expect(random.json).toEqual({ uid: created.uid, rotated: true });
    const secret = emulator.subscriptions().find((subscription) => subscription.uid === created.uid)?.signing_secret;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe("whsec_rotated_0001");
  });
});

describe("generated traffic", () => {
  it("delivers lifecycle events of subscribed types to their target, signed with that subscription's secret", async () => {
    const target = await startWebhookReceiver();
    const busy = await startTestEmulator({ ordersPerMinute: 600, stepDelayMs: 10, target: target.url, signingSecret: "whsec_traffic", seed: 11 });
    try {
      const requests = await target.waitForRequests(30, 10_000);
      for (const request of requests) expect(request.headers["x-webhook-signature"]).toBe(signWebhookBody(request.body, "whsec_traffic"));
      const types = new Set(requests.map((request) => request.headers["x-webhook-event"]));
      expect(types).toContain("order_created");
      expect(types).toContain("pharmacy_order_updated");
    } finally {
      const report = await busy.stop();
      expect(report.unfinishedOrders).toBeGreaterThanOrEqual(0);
      await target.close();
    }
  });
});

describe("subscription faults", () => {
  it("deletes a subscription without telling its receiver, and stops every event of one type through the drops control", async () => {
    const created = await create("prescription_signed");
    const before = receiver.requests.length;
    expect(await call("POST", `/_emulator/subscriptions/${created.uid}/delete`, { key: null, body: {} })).toEqual(expect.objectContaining({ status: 200, json: { uid: created.uid, deleted: true } }));
    expect(emulator.subscriptions().some((subscription) => subscription.uid === created.uid)).toBe(false);
    expect(receiver.requests.length).toBe(before);
    expect((await call("POST", `/_emulator/subscriptions/${created.uid}/delete`, { key: null, body: {} })).status).toBe(404);

    expect(await call("POST", "/_emulator/drops", { key: null, body: { event_type: "order_updated" } })).toEqual(expect.objectContaining({ status: 200, json: { drops: { rate: 0, event_type: "order_updated" } } }));
    expect(emulator.state().drops).toMatchObject({ eventType: "order_updated" });
    expect((await call("POST", "/_emulator/drops", { key: null, body: { rate: 2 } })).status).toBe(400);
    expect((await call("POST", "/_emulator/drops", { key: null, body: { event_type: null } })).json).toEqual({ drops: { rate: 0, event_type: null } });
  });
});
