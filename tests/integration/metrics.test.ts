import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/metrics/route";
import { POST } from "@/app/api/webhooks/rxscale/route";
import { createInboxWorker, inboxWorkerOptionsFromEnv } from "@/server/processing/worker";
import { envelopeBody, orderData, PATIENT_NAME, readWebhookResponse, webhookRequest } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * GET /api/metrics after real traffic through the real webhook route and
 * worker: the counters and gauges say what happened, and no label carries an
 * id, an order uid or patient data. Also who may read it.
 */

const SETTINGS = vi.hoisted(() => {
  const settings = { secret: "whsec_metrics_secret_0001", token: "metrics-token-for-tests-0123456789" };
  process.env.RXSCALE_SIGNING_SECRETS = settings.secret;
  process.env.RXWATCH_METRICS_TOKEN = settings.token;
  process.env.RXWATCH_METRICS_ALLOW = "127.0.0.1/32,::1/128,10.20.0.0/16";
  process.env.RXWATCH_TRUSTED_PROXIES = "10.99.0.0/16";
  return settings;
});

const METRICS_URL = "http://rxwatch.test/api/metrics";
const sentUids: string[] = [];
const eventIds: string[] = [];

async function deliver(body: string, secret = SETTINGS.secret) {
  const result = await readWebhookResponse(await POST(webhookRequest(body, { secret })));
  if (typeof result.json.event_id === "string") eventIds.push(result.json.event_id);
  return result;
}

function orderBody(eventType: string, data: Record<string, unknown>): string {
  return envelopeBody({ event_type: eventType, data, timestamp: 1_735_725_600 + sentUids.length });
}

async function scrape(headers: Record<string, string>): Promise<Response> {
  return GET(new Request(METRICS_URL, { headers }));
}

/** Value of the sample `name{labels}` in an exposition, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? "").split(",").filter(Boolean);
    if (wanted.length === present.length && wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return undefined;
}

function labelValues(text: string): string[] {
  return [...text.matchAll(/\w+="((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] ?? "");
}

afterAll(() => {
  expect(eventIds.length).toBeGreaterThan(0);
});

describe("GET /api/metrics", () => {
  it("reports deliveries, acknowledgement times, runs, dead letters and the backlog, with no id or patient data in any label", async () => {
    const first = `po-${randomUUID()}`;
    const second = `po-${randomUUID()}`;
    const unknownTypeUid = `po-${randomUUID()}`;
    const brokenUid = `po-${randomUUID()}`;
    sentUids.push(first, second, unknownTypeUid, brokenUid);

    const firstBody = orderBody("pharmacy_order_updated", orderData(first));
    expect((await deliver(firstBody)).status).toBe(200);
    expect((await deliver(firstBody)).json.status).toBe("duplicate");
    expect((await deliver(orderBody("pharmacy_order_created", orderData(second)))).status).toBe(200);
    // An event name RxScale does not document: counted under "other", never by its name.
    expect((await deliver(orderBody(`custom_${unknownTypeUid}`, orderData(unknownTypeUid)))).status).toBe(200);
    // No data.uid: the pharmacy handler dead-letters it at once.
    expect((await deliver(orderBody("pharmacy_order_updated", { uuid: brokenUid, status: PATIENT_NAME }))).status).toBe(200);
    expect((await deliver(orderBody("pharmacy_order_updated", orderData(first)), "whsec_someone_else_0000")).errorCode).toBe("bad_signature");

    const before = await (await scrape({ authorization: `Bearer ${SETTINGS.token}` })).text();
    expect(sample(before, "rxwatch_inbox_events", { status: "pending" })).toBe(4);
    expect(sample(before, "rxwatch_inbox_lag_seconds")).toBeGreaterThanOrEqual(0);

    const worker = createInboxWorker({ ...inboxWorkerOptionsFromEnv(), concurrency: 1 });
    expect(await worker.drain()).toBe(4);

    const response = await scrape({ authorization: `Bearer ${SETTINGS.token}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    const text = await response.text();

    expect(sample(text, "rxwatch_webhook_deliveries_total", { outcome: "accepted", reason: "none", event_type: "pharmacy_order_updated" })).toBe(2);
    expect(sample(text, "rxwatch_webhook_deliveries_total", { outcome: "duplicate", reason: "none", event_type: "pharmacy_order_updated" })).toBe(1);
    expect(sample(text, "rxwatch_webhook_deliveries_total", { outcome: "accepted", reason: "none", event_type: "pharmacy_order_created" })).toBe(1);
    expect(sample(text, "rxwatch_webhook_deliveries_total", { outcome: "accepted", reason: "none", event_type: "other" })).toBe(1);
    expect(sample(text, "rxwatch_webhook_deliveries_total", { outcome: "rejected", reason: "bad_signature", event_type: "other" })).toBe(1);
    expect(sample(text, "rxwatch_webhook_ack_seconds_count", { outcome: "accepted" })).toBe(4);
    expect(sample(text, "rxwatch_webhook_ack_seconds_bucket", { outcome: "accepted", le: "+Inf" })).toBe(4);

    expect(sample(text, "rxwatch_processing_attempts_total", { outcome: "succeeded", event_type: "pharmacy_order_updated" })).toBe(1);
    expect(sample(text, "rxwatch_processing_attempts_total", { outcome: "dead", event_type: "pharmacy_order_updated" })).toBe(1);
    expect(sample(text, "rxwatch_dead_letters_total", { event_type: "pharmacy_order_updated" })).toBe(1);
    expect(sample(text, "rxwatch_inbox_events", { status: "pending" })).toBe(0);
    expect(sample(text, "rxwatch_inbox_events", { status: "dead" })).toBe(1);
    expect(sample(text, "rxwatch_dead_letter_events")).toBe(1);
    expect(sample(text, "rxwatch_inbox_lag_seconds")).toBe(0);
    expect(sample(text, "rxwatch_database_up")).toBe(1);
    expect(sample(text, "rxwatch_sse_clients")).toBe(0);
    expect(sample(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    if (testProvider() === "postgresql") {
      expect(sample(text, "rxwatch_db_pool_connections", { state: "total" })).toBeGreaterThan(0);
      expect(sample(text, "rxwatch_db_pool_connections", { state: "waiting" })).toBe(0);
    } else {
      expect(text).not.toContain("rxwatch_db_pool_connections{");
    }

    const values = labelValues(text);
    expect(values.length).toBeGreaterThan(10);
    for (const value of values) {
      for (const secret of [...sentUids, ...eventIds, PATIENT_NAME, "erika", SETTINGS.secret, SETTINGS.token]) {
        expect(value.toLowerCase(), `label value ${value}`).not.toContain(secret.toLowerCase());
      }
      expect(value).toMatch(/^[a-z0-9_.+]*$/i);
    }
  });

  it("lets in the token from anywhere and allow-listed networks without it; refuses others with 401 or 403", async () => {
    const outside = "203.0.113.50";
    expect((await scrape({ authorization: `Bearer ${SETTINGS.token}`, "x-rxwatch-peer-address": outside })).status).toBe(200);
    expect((await scrape({ "x-rxwatch-peer-address": "127.0.0.1" })).status).toBe(200);
    expect((await scrape({ "x-rxwatch-peer-address": "10.20.3.4" })).status).toBe(200);
    // Through a trusted proxy, the right-most entry it appended is the client.
    expect((await scrape({ "x-rxwatch-peer-address": "10.99.0.1", "x-forwarded-for": "10.20.3.4" })).status).toBe(200);

    const missing = await scrape({ "x-rxwatch-peer-address": outside });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await missing.json()) as unknown).toMatchObject({ error: { code: "unauthenticated" } });
    const wrong = await scrape({ authorization: "Bearer not-the-metrics-token-at-all", "x-rxwatch-peer-address": outside });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain("rxwatch_");
    // A client cannot slip a loopback hop in front of the one the proxy appended.
    expect((await scrape({ authorization: "Bearer wrong-token-0000000000", "x-rxwatch-peer-address": "10.99.0.1", "x-forwarded-for": `127.0.0.1, ${outside}` })).status).toBe(403);
    // A client on another host claiming loopback, with no proxy in between, is still outside.
    expect((await scrape({ "x-rxwatch-peer-address": outside, "x-forwarded-for": "127.0.0.1" })).status).toBe(401);
  });
});
