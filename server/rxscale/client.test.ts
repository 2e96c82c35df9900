import { describe, expect, it } from "vitest";
import { createRxScaleClient, type RxScaleClientOptions } from "./client";
import { RxScaleApiError } from "./errors";
import { createRequestBudget } from "./request-budget";

/*
 * The client against a scripted fetch: URL building, retry rules and error
 * mapping, without a network. The emulator-backed integration tests cover
 * the same client over real HTTP.
 */

const API_KEY = "rxs_live_secret_key_123";

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

type Reply = Response | Error | ((call: Call, signal: AbortSignal | null) => Promise<Response>);

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function scripted(replies: Reply[], options: Partial<RxScaleClientOptions> = {}) {
  const calls: Call[] = [];
  const sleeps: number[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const call: Call = { url: String(input), method: init?.method ?? "GET", headers: new Headers(init?.headers), body: typeof init?.body === "string" ? init.body : null };
    calls.push(call);
    const reply = replies.shift();
    if (reply === undefined) throw new Error("no scripted reply left");
    if (reply instanceof Error) throw reply;
    if (typeof reply === "function") return reply(call, init?.signal ?? null);
    return reply;
  };
  const client = createRxScaleClient({
    baseUrl: "https://api.rxscale.com",
    apiKey: API_KEY,
    fetch: fetchImpl,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    // Its own budget, so tests neither wait for nor spend the process-wide one.
    budget: createRequestBudget({ sleep: async () => undefined }),
    ...options,
  });
  return { client, calls, sleeps };
}

async function failure(promise: Promise<unknown>): Promise<RxScaleApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RxScaleApiError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

const subscription = { uid: "ns-1", notification_type: "pharmacy_order_created", target: "https://rxwatch.example.com/api/webhooks/rxscale", options: "WEBHOOK", payload_version: "1" };
const connectionRefused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });

describe("createRxScaleClient: requests", () => {
  it("sends X-API-Key to /v1/management paths with a trailing slash by default", async () => {
    const { client, calls } = scripted([json(200, [subscription])]);
    await client.listSubscriptions();
    expect(calls[0]?.url).toBe("https://api.rxscale.com/v1/management/notification-subscriptions/");
    expect(calls[0]?.headers.get("x-api-key")).toBe(API_KEY);
    expect(calls[0]?.headers.get("accept")).toBe("application/json");
  });

  it("leaves the slash off when configured", async () => {
    const { client, calls } = scripted([json(200, { status: "ok" }), json(200, [])], { trailingSlash: false });
    await client.health();
    await client.listSubscriptions();
    expect(calls.map((call) => call.url)).toEqual(["https://api.rxscale.com/v1/management/health", "https://api.rxscale.com/v1/management/notification-subscriptions"]);
  });

  it("puts the DELETE uid in the path, the query or the body as configured", async () => {
    const path = scripted([json(204, null)]);
    await path.client.deleteSubscription("ns-1/x");
    expect(path.calls[0]).toMatchObject({ method: "DELETE", url: "https://api.rxscale.com/v1/management/notification-subscriptions/ns-1%2Fx/", body: null });
    const query = scripted([json(204, null)], { deleteUidPlacement: "query" });
    await query.client.deleteSubscription("ns-1");
    expect(query.calls[0]?.url).toBe("https://api.rxscale.com/v1/management/notification-subscriptions/?uid=ns-1");
    const body = scripted([json(204, null)], { deleteUidPlacement: "body", trailingSlash: false });
    await body.client.deleteSubscription("ns-1");
    expect(body.calls[0]).toMatchObject({ url: "https://api.rxscale.com/v1/management/notification-subscriptions", body: '{"uid":"ns-1"}' });
    expect(body.calls[0]?.headers.get("content-type")).toBe("application/json");
  });

  it("sends only the create fields it was given", async () => {
    const { client, calls } = scripted([json(201, { ...subscription, signing_secret: "whsec_1" }), json(201, subscription)]);
    await client.createSubscription({ notification_type: "pharmacy_order_created", target: subscription.target });
    await client.createSubscription({ notification_type: "x", target: subscription.target, payload_version: "1", meta_data: { a: 1 } });
    expect(JSON.parse(calls[0]?.body ?? "")).toEqual({ notification_type: "pharmacy_order_created", target: subscription.target });
    expect(JSON.parse(calls[1]?.body ?? "")).toEqual({ notification_type: "x", target: subscription.target, payload_version: "1", meta_data: { a: 1 } });
  });
});

describe("createRxScaleClient: answers", () => {
  it("returns the signing secret when RxScale sends one and null when it does not", async () => {
    const { client } = scripted([json(201, { ...subscription, signing_secret: "whsec_abc" }), json(201, subscription), json(201, { ...subscription, signing_secret: "" })]);
    expect(await client.createSubscription({ notification_type: "a", target: "https://x" })).toEqual({ subscription: { ...subscription, meta_data: null }, signingSecret: "whsec_abc" });
    expect((await client.createSubscription({ notification_type: "a", target: "https://x" })).signingSecret).toBeNull();
    expect((await client.createSubscription({ notification_type: "a", target: "https://x" })).signingSecret).toBeNull();
  });

  it("is lenient: ignores unknown fields, defaults options and payload_version, unwraps a wrapped list", async () => {
    const { client } = scripted([json(200, { data: [{ uid: "ns-2", notification_type: "t", target: "https://x", extra: true, payload_version: 1 }] })]);
    expect(await client.listSubscriptions()).toEqual([{ uid: "ns-2", notification_type: "t", target: "https://x", options: null, payload_version: "1", meta_data: null }]);
  });

  it("reads the emulator's test answer and tolerates an empty one", async () => {
    const { client } = scripted([json(202, { status: "queued", deliveries: [{ delivery_id: "dlv-1", subscription_uid: "ns-1", data_uid: "test-1" }] }), new Response("", { status: 200 })]);
    expect(await client.sendTestEvent({ uid: "ns-1" })).toEqual({ httpStatus: 202, deliveries: [{ deliveryId: "dlv-1", subscriptionUid: "ns-1", notificationType: null, dataUid: "test-1" }] });
    expect(await client.sendTestEvent({ notification_type: "t" })).toEqual({ httpStatus: 200, deliveries: null });
  });

  it("reports a 2xx that is not JSON or lacks required fields as malformed_response, naming the field", async () => {
    const { client } = scripted([new Response("<html>hello</html>", { status: 200 }), json(200, [{ notification_type: "t", target: "https://x" }]), json(201, {})]);
    expect(await failure(client.listSubscriptions())).toMatchObject({ kind: "malformed_response", message: expect.stringContaining("was not JSON") });
    expect(await failure(client.listSubscriptions())).toMatchObject({ kind: "malformed_response", message: expect.stringContaining("0.uid") });
    expect(await failure(client.createSubscription({ notification_type: "a", target: "https://x" }))).toMatchObject({ kind: "malformed_response", message: expect.stringContaining("uid") });
  });
});

describe("createRxScaleClient: retries", () => {
  it("retries a 429 after the Retry-After delay and succeeds", async () => {
    const { client, calls, sleeps } = scripted([json(429, { error: "Rate limit exceeded" }, { "retry-after": "1" }), json(429, { error: "Rate limit exceeded" }, { "retry-after": "2" }), json(200, [])]);
    expect(await client.listSubscriptions()).toEqual([]);
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([1_125, 2_125]);
  });

  it("backs off exponentially on 5xx and gives up as server_error after the retries", async () => {
    const { client, calls, sleeps } = scripted([json(503, {}), json(502, {}), json(500, {}), json(500, { error: "boom" })]);
    const error = await failure(client.listSubscriptions());
    expect(error).toMatchObject({ kind: "server_error", status: 500, attempts: 4 });
    expect(error.message).toBe("RxScale had an internal error (HTTP 500) on all 4 attempts while trying to list subscriptions — try again later.");
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([375, 750, 1_500]);
  });

  it("gives up as rate_limited when the limit persists, or at once when Retry-After is too long", async () => {
    const persisting = scripted(Array.from({ length: 4 }, () => json(429, { error: "Rate limit exceeded" }, { "retry-after": "1" })));
    expect(await failure(persisting.client.listSubscriptions())).toMatchObject({ kind: "rate_limited", attempts: 4, retryAfterSeconds: 1 });
    const long = scripted([json(429, { error: "Rate limit exceeded" }, { "retry-after": "60" })]);
    const error = await failure(long.client.listSubscriptions());
    expect(error).toMatchObject({ kind: "rate_limited", attempts: 1, retryAfterSeconds: 60, message: expect.stringContaining("asks to wait 60 s") });
    expect(error.isTransient).toBe(true);
  });

  it("never retries other 4xx", async () => {
    for (const status of [400, 401, 403, 404, 409, 422]) {
      const { client, calls } = scripted([json(status, { error: "no" })]);
      await failure(client.createSubscription({ notification_type: "a", target: "https://x" }));
      expect(calls).toHaveLength(1);
    }
  });

  it("retries a GET or DELETE that could not connect, but not a POST", async () => {
    const get = scripted([connectionRefused, json(200, [])]);
    expect(await get.client.listSubscriptions()).toEqual([]);
    const post = scripted([connectionRefused]);
    const error = await failure(post.client.createSubscription({ notification_type: "a", target: "https://x" }));
    expect(error).toMatchObject({ kind: "unreachable", attempts: 1 });
    expect(error.message).toBe("Could not reach RxScale at https://api.rxscale.com (ECONNREFUSED) — check the base URL and that this server can open outbound HTTPS connections.");
  });

  it("explains a 409 after a failed attempt: the secret of a subscription created then was never seen", async () => {
    const { client } = scripted([json(503, {}), json(409, { error: "exists", uid: "ns-9" })]);
    const error = await failure(client.createSubscription({ notification_type: "a", target: "https://x" }));
    expect(error).toMatchObject({ kind: "validation", status: 409, details: { existingUid: "ns-9" } });
    expect(error.message).toContain("Delete the subscription and create it again");
  });
});

describe("createRxScaleClient: errors", () => {
  it("maps 401, 403 (naming the permission), 404 and 400 to messages an admin can act on", async () => {
    const { client } = scripted([json(401, { error: "Unauthorized" }), json(403, { error: "Permission Denied" }), json(403, { error: "Permission Denied" }), json(404, { error: "Not found" }), json(404, {}), json(400, { error: "target: must be an https URL", field: "target" })]);
    expect(await failure(client.listSubscriptions())).toMatchObject({ kind: "unauthorized", status: 401 });
    expect((await failure(client.listSubscriptions())).message).toBe("The API key lacks notification_subscription:read — create a key with that permission in RxScale.");
    expect((await failure(client.createSubscription({ notification_type: "a", target: "https://x" }))).message).toBe("The API key lacks notification_subscription:write — create a key with that permission in RxScale.");
    expect(await failure(client.listSubscriptions())).toMatchObject({ kind: "not_found", message: expect.stringContaining("check the base URL (https://api.rxscale.com)") });
    expect(await failure(client.deleteSubscription("ns-7"))).toMatchObject({ kind: "not_found", message: "RxScale has no subscription ns-7 — it may have been deleted already." });
    expect(await failure(client.createSubscription({ notification_type: "a", target: "http://x" }))).toMatchObject({ kind: "validation", message: "RxScale refused to create the subscription: target: must be an https URL.", details: { field: "target" } });
  });

  it("times out after timeoutMs, aborting the request, without retrying", async () => {
    const hang = (_call: Call, signal: AbortSignal | null) =>
      new Promise<Response>((_resolve, reject) => {
        signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      });
    const { client, calls } = scripted([hang, hang], { timeoutMs: 30 });
    const error = await failure(client.listSubscriptions());
    expect(error).toMatchObject({ kind: "timeout", message: "RxScale did not answer within 30 ms (list subscriptions) — try again; if it keeps happening, check the network path to https://api.rxscale.com." });
    expect(calls).toHaveLength(1);
  });

  it("never puts the API key in a message, even when RxScale echoes it", async () => {
    const { client } = scripted([json(400, { error: `bad key ${API_KEY}` }), json(401, {}), connectionRefused, json(200, "nope")], { maxRetries: 0 });
    const errors = [
      await failure(client.createSubscription({ notification_type: "a", target: "https://x" })),
      await failure(client.listSubscriptions()),
      await failure(client.listSubscriptions()),
      await failure(client.listSubscriptions()),
    ];
    for (const error of errors) {
      expect(error.message).not.toContain(API_KEY);
      expect(JSON.stringify(error)).not.toContain(API_KEY);
      expect(String(error.stack)).not.toContain(API_KEY);
    }
    expect(errors[0]?.message).toContain("[api key]");
  });

  it("follows a same-origin redirect with the key, and refuses to carry the key to another origin", async () => {
    const same = scripted([new Response(null, { status: 308, headers: { location: "/v1/management/notification-subscriptions" } }), json(200, [])], { trailingSlash: true });
    expect(await same.client.listSubscriptions()).toEqual([]);
    expect(same.calls[1]?.url).toBe("https://api.rxscale.com/v1/management/notification-subscriptions");
    expect(same.calls[1]?.headers.get("x-api-key")).toBe(API_KEY);
    const other = scripted([new Response(null, { status: 302, headers: { location: "https://evil.example/steal" } })]);
    expect(await failure(other.client.listSubscriptions())).toMatchObject({ kind: "malformed_response", message: expect.stringContaining("does not send the API key to another address") });
    expect(other.calls).toHaveLength(1);
  });

  it("refuses to be created without a key or with an unusable base URL", () => {
    expect(() => createRxScaleClient({ baseUrl: "https://api.rxscale.com", apiKey: "  " })).toThrow(/API key is required/);
    expect(() => createRxScaleClient({ baseUrl: "nope", apiKey: "k" })).toThrow(/not a valid URL/);
  });
});

describe("createRxScaleClient: orders and prescriptions", () => {
  const order = {
    uid: "ord-1",
    status: "waiting for doctor",
    updated_at: "2026-12-04T10:00:00Z",
    created_at: 1_780_000_000,
    name: "#1001",
    patient_data: { display_name: "never kept" },
    prescriptions: [{ uid: "px-1", status: "APPROVED", updated_at: 1_780_000_100 }, { status: "no uid" }],
    pharmacy_orders: [{ uid: "po-1", status: "init", updated_at: 1_780_000_200_000, pharmacy: { uid: "ph-1", name: "Apotheke" } }],
  };

  it("lists orders with paging and filters in the query and maps each order's fields in one place", async () => {
    const { client, calls } = scripted([json(200, { orders: [order, { no: "uid" }], total: 2, page: 1, pages: 1 })]);
    const page = await client.listOrders({ page: 1, limit: 500, updatedAtFrom: 1_780_000_000, shopIdentifier: "shop-1" });
    const url = new URL(calls[0]?.url ?? "");
    expect(url.pathname).toBe("/v1/management/orders/");
    expect(Object.fromEntries(url.searchParams)).toEqual({ page: "1", limit: "100", updated_at_from: "2026-05-28T20:26:40.000Z", shop_identifier: "shop-1" });
    expect(page).toMatchObject({ size: 2, unreadable: 1, total: 2, hasMore: false });
    expect(page.orders[0]).toEqual({
      uid: "ord-1",
      status: "waiting for doctor",
      updatedAt: 1_796_378_400,
      createdAt: 1_780_000_000,
      shopOrderName: "#1001",
      prescriptions: [{ uid: "px-1", status: "APPROVED", updatedAt: 1_780_000_100 }],
      pharmacyOrders: [{ uid: "po-1", status: "init", updatedAt: 1_780_000_200, pharmacyUid: "ph-1", pharmacyName: "Apotheke" }],
    });
  });

  it("reads one order, and answers null when RxScale has no such order", async () => {
    const { client, calls } = scripted([json(200, { ...order, prescriptions: undefined }), json(404, { error: "Not found" })]);
    expect(await client.findOrder("ord-1")).toMatchObject({ uid: "ord-1", prescriptions: null });
    expect(await client.findOrder("ord-x")).toBeNull();
    expect(calls[0]?.url).toBe("https://api.rxscale.com/v1/management/orders/ord-1/");
  });

  it("names the missing permission on a 403", async () => {
    const { client } = scripted([json(403, { error: "Permission Denied" })]);
    const error = await failure(client.findPrescription("px-1"));
    expect(error.kind).toBe("forbidden");
    expect(error.message).toContain("prescription:read");
  });

  it("pauses the shared budget after a 429 so other callers back off too", async () => {
    let now = 0;
    const budget = createRequestBudget({ now: () => now, sleep: async (ms) => void (now += ms) });
    const { client } = scripted([json(429, { error: "Rate limit exceeded" }, { "retry-after": "2" }), json(200, [])], { budget });
    await client.listOrders({ page: 1, limit: 10 });
    // The retry went out through the budget, which held it (and would hold anyone else) for the Retry-After.
    expect(now).toBeGreaterThanOrEqual(2_000);
  });
});
