import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getCatalogue } from "@/app/api/event-catalogue/route";
import { POST as postExpected } from "@/app/api/event-catalogue/changes/[key]/expected/route";
import { eventCatalogueDtoSchema, payloadDriftEvidenceSchema, type PayloadDriftEvidence } from "@/lib/drift";
import type { RunningEmulator } from "@/emulator/emulator";
import { createApiToken } from "@/server/auth/tokens";
import { createDb } from "@/server/core/db";
import { LEARNING_EVENTS, payloadDrift, VANISHED_AFTER_EVENTS } from "@/server/drift/detector";
import { scanFailures } from "@/server/failures/scan";
import { createInboxWorker } from "@/server/processing/worker";
import { startTestEmulator } from "../support/emulator";
import { serveRoute } from "../support/route-server";
import { testProvider } from "../support/test-database";

/*
 * Payload drift end to end: the emulator sends a type's usual payloads (learned
 * silently), then its shape faults change them; the worker's detector raises
 * exactly one incident per change, however many events show it, and the
 * catalogue lists what was learned.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_payload_drift_test_secret";
  return "whsec_payload_drift_test_secret";
});

const EVENT_TYPE = "pharmacy_order_updated";
const client = createDb(process.env.DATABASE_URL ?? "");
let emulator: RunningEmulator;
let receiver: { url: string; close: () => Promise<void> };
let adminToken = "";
let supportToken = "";
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 1, maxMs: 10 } });

beforeAll(async () => {
  receiver = await serveRoute((request) => postWebhook(request));
  emulator = await startTestEmulator({ stepDelayMs: 600_000 });
  emulator.subscribe({ notification_type: EVENT_TYPE, target: `${receiver.url}/api/webhooks/rxscale`, signing_secret: SECRET });
  adminToken = (await createApiToken({ name: "admin", role: "admin" }, null)).secret;
  supportToken = (await createApiToken({ name: "support", role: "support" }, null)).secret;
});

afterAll(async () => {
  await emulator.stop();
  await receiver.close();
  await client.$disconnect();
});

/** Bursts until `count` more events of the subscribed type were delivered, then processes them and writes what the detector learned. */
async function deliverAndProcess(count: number): Promise<void> {
  const delivered = () => emulator.deliveries({ eventType: EVENT_TYPE, status: "delivered", limit: 10_000 }).length;
  const target = delivered() + count;
  while (emulator.deliveries({ eventType: EVENT_TYPE, limit: 10_000 }).length < target) emulator.burst(5);
  for (const record of emulator.deliveries({ eventType: EVENT_TYPE, limit: 10_000 })) await emulator.waitForDelivery(record.id);
  expect(delivered()).toBeGreaterThanOrEqual(target);
  await worker.drain();
  await payloadDrift().flush();
}

async function setFaults(rates: Record<string, number>): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/faults`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${emulator.controlToken}` }, body: JSON.stringify(rates) });
  expect(response.status).toBe(200);
}

async function driftIncidents(): Promise<{ key: string; state: string; count: number; evidence: PayloadDriftEvidence }[]> {
  const rows = await client.incident.findMany({ where: { kind: "payload_drift" } });
  return rows.map((row) => ({ key: row.key, state: row.state, count: row.count, evidence: payloadDriftEvidenceSchema.parse(JSON.parse(row.evidence)) }));
}

function changesOf(incidents: { evidence: PayloadDriftEvidence }[]): string[] {
  return incidents.map(({ evidence }) => `${evidence.change} ${evidence.path} ${evidence.typesNow.join("|")}`).sort();
}

function call(handler: (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>, method: string, path: string, token: string, params: Record<string, string> = {}) {
  return handler(new Request(`http://rxwatch.test${path}`, { method, headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve(params) });
}

describe(`payload drift on ${testProvider()}`, () => {
  it("learns a new type's payloads silently", async () => {
    await deliverAndProcess(LEARNING_EVENTS + 10);
    expect(await driftIncidents()).toEqual([]);
  });

  it("raises exactly one incident per change the emulator's shape faults make, however many events show it", async () => {
    await setFaults({ numeric_payload_version: 1, string_timestamp: 1, new_field: 1, vanished_field: 1, new_status: 1 });
    await deliverAndProcess(VANISHED_AFTER_EVENTS + 5);
    await deliverAndProcess(10);
    // A failure scan leaves drift incidents to the detector: it neither resolves nor duplicates them.
    await scanFailures(new Date());
    const incidents = await driftIncidents();
    expect(changesOf(incidents)).toEqual([
      "new_field data.emulator_added_field string",
      "new_status emulator new status ",
      "type_changed payload_version number",
      "type_changed timestamp string",
      "vanished_field data.created_at ",
    ]);
    for (const incident of incidents) {
      expect(incident.state).toBe("open");
      expect(incident.evidence).toMatchObject({ eventType: EVENT_TYPE, payloadVersion: "1", expected: null });
      expect(incident.count).toBeGreaterThanOrEqual(VANISHED_AFTER_EVENTS);
    }
    const example = incidents.find(({ evidence }) => evidence.change === "new_field")?.evidence.maskedExample ?? "";
    expect(example).toContain("‹");
  });

  it("lets an admin mark a change expected, after which it stops counting", async () => {
    const [vanished] = (await driftIncidents()).filter(({ evidence }) => evidence.change === "vanished_field");
    if (!vanished) throw new Error("no vanished-field incident");
    expect((await call(postExpected, "POST", "/api/event-catalogue/changes/x/expected", supportToken, { key: vanished.key })).status).toBe(403);
    expect((await call(postExpected, "POST", "/api/event-catalogue/changes/x/expected", adminToken, { key: vanished.key })).status).toBe(200);
    await deliverAndProcess(VANISHED_AFTER_EVENTS + 5);
    const after = await driftIncidents();
    expect(after).toHaveLength(5);
    const marked = after.find(({ key }) => key === vanished.key);
    expect(marked).toMatchObject({ state: "resolved", count: vanished.count, evidence: { expected: { by: "admin (API token)" } } });
    expect((await call(postExpected, "POST", "/api/event-catalogue/changes/x/expected", adminToken, { key: "payload_drift:none" })).status).toBe(404);
  });

  it("lists the type in the event catalogue with its fields, statuses and volume", async () => {
    const response = await call(getCatalogue, "GET", "/api/event-catalogue", supportToken);
    expect(response.status).toBe(200);
    const catalogue = eventCatalogueDtoSchema.parse(await response.json());
    const type = catalogue.eventTypes.find((entry) => entry.eventType === EVENT_TYPE);
    expect(type).toMatchObject({ payloadVersions: ["1"], isLearning: false });
    expect(type?.volume24h).toBeGreaterThanOrEqual(LEARNING_EVENTS + 10);
    expect(type?.fields.find((field) => field.path === "data.uid")).toMatchObject({ types: ["string"], seenPercent: 100 });
    expect(type?.fields.find((field) => field.path === "payload_version")?.types).toEqual(["number", "string"]);
    expect(type?.fields.some((field) => field.path === "data.created_at")).toBe(false);
    expect(type?.statuses.find((status) => status.status === "emulator new status")).toMatchObject({ isDocumented: false });
    // Paths, types and statuses only: no e-mail address (nor any other value) of the made-up patients.
    expect(JSON.stringify(catalogue)).not.toContain("@");
    const staff = (await createApiToken({ name: "staff", role: "staff" }, null)).secret;
    expect((await call(getCatalogue, "GET", "/api/event-catalogue", staff)).status).toBe(403);
  });
});
