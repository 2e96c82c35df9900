import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SMTPServer } from "smtp-server";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getAlerts, PUT as putAlerts } from "@/app/api/alerts/route";
import { POST as testAlert } from "@/app/api/alerts/test/route";
import { alertsViewDtoSchema, testAlertResultDtoSchema, type SaveAlertsRequest } from "@/lib/alerts";
import { createApiToken } from "@/server/auth/tokens";
import { evaluateAlerts } from "@/server/alerts/rules";
import { runAlertTick } from "@/server/alerts/timer";
import { reprocessEvent } from "@/server/processing/reprocess";
import { createDispatcher } from "@/server/processing/dispatch";
import { createInboxWorker } from "@/server/processing/worker";
import { sampleFailingEvents } from "@/server/repositories/failures";
import { envelopeBody, webhookRequest } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * Alert rules fire once and resolve once, delivered to a local HTTP sink
 * (standing in for Slack) and a fake SMTP server that requires the sealed
 * password, both started here. The clock is injected: evaluations at later
 * instants stand in for time passing.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_alerts_test_secret_01";
  return "whsec_alerts_test_secret_01";
});
const SMTP_PASSWORD = "smtp-password-for-alerts";
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 1, backoff: { baseMs: 1, maxMs: 1 } });

const webhookMessages: unknown[] = [];
const mails: { to: string[]; text: string }[] = [];
const sink = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    webhookMessages.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    response.writeHead(200).end("ok");
  });
});
const smtp = new SMTPServer({
  disabledCommands: ["STARTTLS"],
  allowInsecureAuth: true,
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === "alerts@shop.example" && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
    else callback(new Error("invalid credentials"));
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      mails.push({ to: session.envelope.rcptTo.map((recipient) => recipient.address), text: Buffer.concat(chunks).toString("utf8") });
      callback();
    });
  },
});
let sinkUrl = "";
let smtpPort = 0;
let adminToken = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hooks/alerts`;
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  adminToken = (await createApiToken({ name: "ops admin", role: "admin" }, null)).secret;
});

afterAll(async () => {
  await new Promise<void>((resolve) => sink.close(() => resolve()));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

let timestamp = 1_800_000_000;
async function deliver(secret: string, data: Record<string, unknown> = { uid: `po-${timestamp}`, status: "in-progress", patient_data: { display_name: "Erika Beispiel" } }): Promise<number> {
  return (await postWebhook(webhookRequest(envelopeBody({ event_type: "pharmacy_order_updated", timestamp: (timestamp += 1), data }), { secret }))).status;
}

function admin(method: string, path: string, body?: unknown): Request {
  return new Request(`http://rxwatch.test${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const texts = () => webhookMessages.map((message) => (message as { text: string }).text);

describe(`alerts on ${testProvider()}`, () => {
  it("stores channels with the SMTP password sealed, never shown again, and sends a test alert to both", async () => {
    const request: SaveAlertsRequest = {
      rules: { failureRate: { thresholdPercent: 10, windowMinutes: 15, minDeliveries: 20 }, stuckOrders: { threshold: 10 } },
      channels: { webhookUrl: sinkUrl, email: { isEnabled: true, host: "127.0.0.1", port: smtpPort, from: "rxwatch@shop.example", to: ["oncall@shop.example"], user: "alerts@shop.example" } },
      smtpPassword: SMTP_PASSWORD,
    };
    const saved = await putAlerts(admin("PUT", "/api/alerts", request), { params: Promise.resolve({}) });
    expect(saved.status, await saved.clone().text()).toBe(200);
    const view = alertsViewDtoSchema.parse(await (await getAlerts(admin("GET", "/api/alerts"), { params: Promise.resolve({}) })).json());
    expect(view.smtpPassword).toMatchObject({ isSet: true, isReadable: true });
    expect(JSON.stringify(view)).not.toContain(SMTP_PASSWORD);

    const tested = testAlertResultDtoSchema.parse(await (await testAlert(admin("POST", "/api/alerts/test", {}), { params: Promise.resolve({}) })).json());
    expect(tested.results).toEqual([
      { channel: "webhook", outcome: "sent", error: null },
      { channel: "email", outcome: "sent", error: null },
    ]);
    expect(texts()).toEqual([expect.stringMatching(/^\[RxWatch\] Test alert/)]);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual(["oncall@shop.example"]);
    expect(mails[0]?.text).toMatch(/Subject: \[RxWatch\] Test alert/);
  });

  it("fires each rule once per episode, not per evaluation, and notifies again when it ends", async () => {
    const now = Date.now();
    for (let index = 0; index < 18; index++) expect(await deliver(SECRET)).toBe(200);
    for (let index = 0; index < 4; index++) expect(await deliver("whsec_an_old_secret")).toBe(401);
    // A pharmacy update without a status: the handler refuses it for good.
    expect(await deliver(SECRET, { uid: "po-dead-1", order: { uid: "ord-dead-1" } })).toBe(200);
    await worker.drain();

    expect(await evaluateAlerts(new Date(now))).toEqual([
      { rule: "failure_rate", kind: "firing" },
      { rule: "dead_letter", kind: "firing" },
    ]);
    expect(await evaluateAlerts(new Date(now + 1_000))).toEqual([]);
    expect(await evaluateAlerts(new Date(now + 2_000))).toEqual([]);
    expect(texts().slice(1)).toEqual([
      expect.stringMatching(/^\[RxWatch\] FIRING — Failure rate: 17\.4% of deliveries rejected over the last 15 min \(4 of 23: bad_signature 4\)/),
      "[RxWatch] FIRING — Dead letters: 1 dead letter (pharmacy_order_updated 1): events RxWatch gave up processing. Replay them from the Failures page once the cause is fixed.",
    ]);
    expect(mails).toHaveLength(3);

    // The handler is fixed and the event replayed: the dead-letter alert ends, once.
    const [deadId] = (await sampleFailingEvents(5)).map((event) => event.id);
    if (!deadId) throw new Error("no dead letter");
    await reprocessEvent(deadId);
    await createInboxWorker({ concurrency: 1, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 1, backoff: { baseMs: 1, maxMs: 1 }, dispatcher: createDispatcher({ overrides: { pharmacy_order_updated: async () => {} } }) }).drain();
    expect(await evaluateAlerts(new Date(now + 3_000))).toEqual([{ rule: "dead_letter", kind: "resolved" }]);

    // Sixteen minutes on, the refusals are outside the window: the failure-rate alert ends.
    expect(await evaluateAlerts(new Date(now + 16 * 60_000))).toEqual([{ rule: "failure_rate", kind: "resolved" }]);
    // Half an hour without a delivery while subscriptions are expected: silence.
    expect(await evaluateAlerts(new Date(now + 31 * 60_000))).toEqual([{ rule: "silence", kind: "firing" }]);
    // The alert timer's own round (independent of the worker) notifies nothing new while it lasts.
    await runAlertTick(new Date(now + 32 * 60_000));

    expect(texts().slice(3)).toEqual([
      expect.stringMatching(/^\[RxWatch\] RESOLVED — Dead letters: No dead letters\./),
      expect.stringMatching(/^\[RxWatch\] RESOLVED — Failure rate: 0% of deliveries rejected over the last 15 min \(0 of 0\)/),
      expect.stringMatching(/^\[RxWatch\] FIRING — Silence: Last delivery 3\d min ago \(window 30 min\) while subscribed to 2 event types/),
    ]);
    expect(mails).toHaveLength(6);
    const everything = JSON.stringify([webhookMessages, mails]);
    expect(everything).not.toMatch(/Erika|Beispiel|po-dead-1|ord-dead-1/);

    const view = alertsViewDtoSchema.parse(await (await getAlerts(admin("GET", "/api/alerts"), { params: Promise.resolve({}) })).json());
    expect(view.states.map((state) => [state.rule, state.state])).toEqual([
      ["dead_letter", "ok"],
      ["failure_rate", "ok"],
      ["silence", "firing"],
      ["stuck_orders", "ok"],
    ]);
    expect(view.notifications.filter((notification) => notification.outcome === "sent")).toHaveLength(12);
  });

  it("records a channel that fails instead of throwing", async () => {
    const refusing = http.createServer((_request, response) => response.writeHead(503).end());
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/`;
    await putAlerts(admin("PUT", "/api/alerts", { rules: {}, channels: { webhookUrl: url } }), { params: Promise.resolve({}) });
    const tested = testAlertResultDtoSchema.parse(await (await testAlert(admin("POST", "/api/alerts/test", {}), { params: Promise.resolve({}) })).json());
    expect(tested.results).toEqual([{ channel: "webhook", outcome: "failed", error: "Error HTTP 503" }]);
    await new Promise<void>((resolve) => refusing.close(() => resolve()));
  });
});
