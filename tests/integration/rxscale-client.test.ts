import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "@/emulator/emulator";
import { createRxScaleClient, type DeleteUidPlacement, type RxScaleClientOptions } from "@/server/rxscale/client";
import { RxScaleApiError } from "@/server/rxscale/errors";
import { createRequestBudget } from "@/server/rxscale/request-budget";
import { signWebhookBody } from "@/server/crypto/webhook-signature";
import { TEST_ADMIN_KEY, TEST_NO_PERMISSION_KEY, TEST_READ_ONLY_KEY, startTestEmulator, startWebhookReceiver, type WebhookReceiver } from "@/tests/support/emulator";

/*
 * The RxScale Management API client against the emulator over real HTTP,
 * plus tiny local servers for what the emulator never does (hang, answer
 * garbage). No database is involved.
 */

let emulator: RunningEmulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  // Generous limits here; the 429 test has an emulator with RxScale's real ones.
  emulator = await startTestEmulator({ rateLimitPerSecond: 10_000, rateLimitPerMinute: 100_000 });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});

function client(options: Partial<RxScaleClientOptions> = {}) {
  return createRxScaleClient({ baseUrl: emulator.url, apiKey: TEST_ADMIN_KEY, retryBaseMs: 10, ...options });
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

async function removeAll(): Promise<void> {
  const rxscale = client();
  for (const subscription of await rxscale.listSubscriptions()) await rxscale.deleteSubscription(subscription.uid);
}

/** A local server answering every request with `handler`; `requests` counts them. */
async function tinyServer(handler: (request: http.IncomingMessage, response: http.ServerResponse) => void) {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests += 1;
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("not listening");
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("RxScale client against the emulator", () => {
  it("uses every endpoint: health, create (capturing the secret), list, test by uid and by type, delete", async () => {
    await removeAll();
    const rxscale = client();
    expect(await rxscale.health()).toMatchObject({ status: "ok" });

    const created = await rxscale.createSubscription({ notification_type: "pharmacy_order_updated", target: receiver.url, meta_data: { created_by: "rxwatch" } });
    expect(created.subscription).toMatchObject({ notification_type: "pharmacy_order_updated", target: receiver.url, options: "WEBHOOK", payload_version: "1" });
    expect(created.signingSecret).toMatch(/^whsec_/);

    expect(await rxscale.listSubscriptions()).toEqual([created.subscription]);

    const before = receiver.requests.length;
    const byUid = await rxscale.sendTestEvent({ uid: created.subscription.uid });
    expect(byUid.httpStatus).toBe(202);
    expect(byUid.deliveries).toEqual([{ deliveryId: expect.stringMatching(/^dlv-/), subscriptionUid: created.subscription.uid, notificationType: "pharmacy_order_updated", dataUid: expect.stringMatching(/^test-/) }]);
    const byType = await rxscale.sendTestEvent({ notification_type: "pharmacy_order_updated" });
    expect(byType.deliveries).toHaveLength(1);
    const requests = (await receiver.waitForRequests(before + 2)).slice(before);
    // The secret captured at creation verifies what the emulator then sends (RxWatch's own verifier).
    for (const request of requests) expect(request.headers["x-webhook-signature"]).toBe(signWebhookBody(request.body, created.signingSecret ?? ""));

    await rxscale.deleteSubscription(created.subscription.uid);
    expect(await rxscale.listSubscriptions()).toEqual([]);
  });

  it("works with and without trailing slashes and with every DELETE uid placement", async () => {
    await removeAll();
    const placements: DeleteUidPlacement[] = ["path", "query", "body"];
    for (const trailingSlash of [true, false]) {
      for (const deleteUidPlacement of placements) {
        const rxscale = client({ trailingSlash, deleteUidPlacement });
        await rxscale.health();
        const { subscription } = await rxscale.createSubscription({ notification_type: `t_${String(trailingSlash)}_${deleteUidPlacement}`, target: receiver.url });
        expect((await rxscale.listSubscriptions()).map((item) => item.uid)).toContain(subscription.uid);
        await rxscale.deleteSubscription(subscription.uid);
        expect((await rxscale.listSubscriptions()).map((item) => item.uid)).not.toContain(subscription.uid);
      }
    }
  });

  it("returns signingSecret null when RxScale's 201 omits it, as the Management API example does", async () => {
    const withoutSecret = await startTestEmulator({ returnSigningSecret: false });
    try {
      const rxscale = createRxScaleClient({ baseUrl: withoutSecret.url, apiKey: TEST_ADMIN_KEY });
      const created = await rxscale.createSubscription({ notification_type: "pharmacy_order_created", target: receiver.url });
      expect(created.signingSecret).toBeNull();
      expect(created.subscription.uid).toMatch(/^ns-/);
    } finally {
      await withoutSecret.stop();
    }
  });

  it("reports a key without write permission as forbidden, naming the permission", async () => {
    const readOnly = client({ apiKey: TEST_READ_ONLY_KEY });
    expect(Array.isArray(await readOnly.listSubscriptions())).toBe(true);
    const error = await failure(readOnly.createSubscription({ notification_type: "x", target: receiver.url }));
    expect(error).toMatchObject({ kind: "forbidden", status: 403, attempts: 1 });
    expect(error.message).toBe("The API key lacks notification_subscription:write — create a key with that permission in RxScale.");
    expect(await failure(readOnly.sendTestEvent({ notification_type: "x" }))).toMatchObject({ kind: "forbidden" });
    expect(await failure(client({ apiKey: TEST_NO_PERMISSION_KEY }).listSubscriptions())).toMatchObject({ kind: "forbidden", message: expect.stringContaining("notification_subscription:read") });
  });

  it("reports an unknown key as unauthorized without repeating it", async () => {
    const error = await failure(client({ apiKey: "rxs_wrong_key_0042" }).listSubscriptions());
    expect(error.kind).toBe("unauthorized");
    expect(error.message).not.toContain("rxs_wrong_key_0042");
  });

  it("reports validation, duplicate and not-found answers with their details", async () => {
    await removeAll();
    const rxscale = client();
    expect(await failure(rxscale.createSubscription({ notification_type: "x", target: "http://rxwatch.example.com/hook" }))).toMatchObject({
      kind: "validation",
      status: 400,
      message: "RxScale refused to create the subscription: target: must be an https URL.",
      details: { field: "target" },
    });
    const { subscription } = await rxscale.createSubscription({ notification_type: "dup", target: receiver.url });
    expect(await failure(rxscale.createSubscription({ notification_type: "dup", target: receiver.url }))).toMatchObject({ kind: "validation", status: 409, details: { existingUid: subscription.uid } });
    expect(await failure(rxscale.deleteSubscription("ns-does-not-exist"))).toMatchObject({ kind: "not_found", message: "RxScale has no subscription ns-does-not-exist — it may have been deleted already." });
    expect(await failure(rxscale.sendTestEvent({ uid: "ns-does-not-exist" }))).toMatchObject({ kind: "not_found" });
  });

  it("paces a burst to the rate limit (10 requests/s) itself, so every call completes and RxScale seldom needs to refuse one", async () => {
    const limited = await startTestEmulator();
    const statuses: number[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    try {
      const rxscale = createRxScaleClient({ baseUrl: limited.url, apiKey: TEST_ADMIN_KEY, fetch: recordingFetch, budget: createRequestBudget() });
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 25 }, () => rxscale.listSubscriptions()));
      expect(results).toHaveLength(25);
      expect(statuses.filter((status) => status === 200)).toHaveLength(25);
      // Unpaced, this burst drew 15 or more 429s; a refusal now and then is a clock edge between the two windows.
      expect(statuses.filter((status) => status === 429).length).toBeLessThan(5);
      // 25 calls at 10 per second cannot finish in under two seconds.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    } finally {
      await limited.stop();
    }
  });

  it("backs off on a 429 when another user of the same key spent the window, and still completes every call", async () => {
    const limited = await startTestEmulator();
    const statuses: number[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    try {
      // Another process with the same key: its requests count at RxScale but not in this client's budget.
      const rival = createRxScaleClient({ baseUrl: limited.url, apiKey: TEST_ADMIN_KEY, budget: createRequestBudget() });
      await Promise.all(Array.from({ length: 10 }, () => rival.listSubscriptions()));
      const rxscale = createRxScaleClient({ baseUrl: limited.url, apiKey: TEST_ADMIN_KEY, fetch: recordingFetch, budget: createRequestBudget() });
      const results = await Promise.all(Array.from({ length: 5 }, () => rxscale.listSubscriptions()));
      expect(results).toHaveLength(5);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    } finally {
      await limited.stop();
    }
  });

  it("times out against a server that never answers, without retrying", async () => {
    const silent = await tinyServer(() => {});
    try {
      const rxscale = createRxScaleClient({ baseUrl: silent.url, apiKey: TEST_ADMIN_KEY, timeoutMs: 200 });
      const started = Date.now();
      const error = await failure(rxscale.listSubscriptions());
      expect(error).toMatchObject({ kind: "timeout", message: expect.stringContaining("RxScale did not answer within 200 ms") });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(silent.requests()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it("reports garbage and wrongly shaped answers as malformed_response", async () => {
    const answers: [string, string][] = [
      ["text/html", "<!doctype html><title>Login</title>"],
      ["application/json", '{"subscriptions": "none"}'],
      ["application/json", '[{"uid": "ns-1", "notification_type": "t"}]'],
      ["application/json", "[1, 2, 3]"],
      ["application/json", "{truncated"],
    ];
    let next = 0;
    const garbage = await tinyServer((_request, response) => {
      const [type, body] = answers[next % answers.length] ?? ["text/plain", ""];
      next += 1;
      response.writeHead(200, { "content-type": type });
      response.end(body);
    });
    try {
      const rxscale = createRxScaleClient({ baseUrl: garbage.url, apiKey: TEST_ADMIN_KEY });
      for (let index = 0; index < answers.length; index += 1) expect(await failure(rxscale.listSubscriptions())).toMatchObject({ kind: "malformed_response" });
      next = 0;
      expect(await failure(rxscale.createSubscription({ notification_type: "x", target: "https://x" }))).toMatchObject({ kind: "malformed_response" });
    } finally {
      await garbage.close();
    }
  });

  it("reports a host nobody listens on as unreachable after retrying the GET", async () => {
    const gone = await tinyServer(() => {});
    const url = gone.url;
    await gone.close();
    const error = await failure(createRxScaleClient({ baseUrl: url, apiKey: TEST_ADMIN_KEY, retryBaseMs: 5 }).listSubscriptions());
    expect(error).toMatchObject({ kind: "unreachable", attempts: 4, message: expect.stringContaining("ECONNREFUSED") });
  });

  it("reports a 5xx that persists as server_error, and gets through one that passes", async () => {
    let calls = 0;
    const flaky = await tinyServer((_request, response) => {
      calls += 1;
      response.writeHead(calls <= 2 ? 503 : 200, { "content-type": "application/json" });
      response.end(calls <= 2 ? '{"error":"Service Unavailable"}' : "[]");
    });
    const broken = await tinyServer((_request, response) => {
      response.writeHead(500, { "content-type": "application/json" });
      response.end('{"error":"Internal Server Error"}');
    });
    try {
      expect(await createRxScaleClient({ baseUrl: flaky.url, apiKey: TEST_ADMIN_KEY, retryBaseMs: 5 }).listSubscriptions()).toEqual([]);
      expect(await failure(createRxScaleClient({ baseUrl: broken.url, apiKey: TEST_ADMIN_KEY, retryBaseMs: 5, maxRetries: 2 }).listSubscriptions())).toMatchObject({ kind: "server_error", status: 500, attempts: 3 });
    } finally {
      await flaky.close();
      await broken.close();
    }
  });
});
