import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getFailuresRoute } from "@/app/api/failures/route";
import { POST as changeGroup } from "@/app/api/failures/[key]/route";
import { GET as getHealthRoute } from "@/app/api/failures/health/route";
import { describeFailureGroup, failuresDtoSchema, deliveryHealthDtoSchema, type FailureGroupDto, type FailuresDto } from "@/lib/failures";
import { createApiToken } from "@/server/auth/tokens";
import { scanFailures } from "@/server/failures/scan";
import { createInboxWorker } from "@/server/processing/worker";
import { updateSettings } from "@/server/settings/settings";
import { envelopeBody, webhookRequest } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * Failure grouping end to end: deliveries go through the real webhook route
 * (right and wrong secrets, missing and malformed headers, broken bodies),
 * events through the real worker, and the groups come back from the real
 * GET /api/failures with their likely cause.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_failures_test_secret_01";
  process.env.RXWATCH_WEBHOOK_MAX_BODY_BYTES = "4096";
  return "whsec_failures_test_secret_01";
});
const WRONG_SECRET = "whsec_rotated_on_rxscales_side";
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 100 } });
/** Times in causes, written in UTC so expectations do not depend on the machine's zone. */
const utc = (iso: string) => iso.slice(11, 16);
let supportToken = "";
let staffToken = "";

beforeAll(async () => {
  supportToken = (await createApiToken({ name: "support desk", role: "support" }, null)).secret;
  staffToken = (await createApiToken({ name: "front desk", role: "staff" }, null)).secret;
});

let timestamp = 1_800_000_000;
function body(eventType = "pharmacy_order_updated", data: Record<string, unknown> = { uid: `po-${timestamp}`, status: "in-progress", patient_data: { display_name: "Erika Beispiel" } }) {
  return envelopeBody({ event_type: eventType, timestamp: (timestamp += 1), data });
}

async function deliver(request: Request): Promise<number> {
  return (await postWebhook(request)).status;
}

async function failures(token = supportToken): Promise<{ status: number; body: FailuresDto }> {
  const response = await getFailuresRoute(new Request("http://rxwatch.test/api/failures", { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
  const json: unknown = await response.json();
  return { status: response.status, body: response.status === 200 ? failuresDtoSchema.parse(json) : (json as FailuresDto) };
}

async function group(key: string): Promise<FailureGroupDto> {
  const { body: dto } = await failures();
  const found = dto.groups.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no group ${key} among ${dto.groups.map((candidate) => candidate.key).join(", ")}`);
  return found;
}

describe(`failure groups on ${testProvider()}`, () => {
  it("shows a wrong-secret burst after successes as one bad-signature group that asks whether the secret was rotated", async () => {
    for (let index = 0; index < 3; index++) expect(await deliver(webhookRequest(body(), { secret: SECRET, headers: { "x-webhook-event": "pharmacy_order_updated" } }))).toBe(200);
    for (let index = 0; index < 5; index++) expect(await deliver(webhookRequest(body(), { secret: WRONG_SECRET, headers: { "x-webhook-event": "pharmacy_order_updated" } }))).toBe(401);

    const { body: dto } = await failures();
    const signatureGroups = dto.groups.filter((candidate) => candidate.kind === "signature");
    expect(signatureGroups.map((candidate) => candidate.key)).toEqual(["signature:bad_signature"]);
    const badSignature = signatureGroups[0];
    if (!badSignature) throw new Error("missing");
    expect(badSignature).toMatchObject({ state: "open", count: 5, isActive: true });
    expect(badSignature.evidence).toMatchObject({ kind: "signature", verifiedSince: 0, verifiedBefore: { secretId: "env:1" }, configuredSecrets: 1 });
    expect(badSignature.trend.reduce((sum, count) => sum + count, 0)).toBe(5);
    const { cause } = describeFailureGroup(badSignature, utc);
    expect(cause).toContain(`All 5 failures started at ${utc(badSignature.firstSeenAt)}`);
    expect(cause).toMatch(/rotated on RxScale's side/);
    expect(JSON.stringify(dto)).not.toMatch(/Erika|Beispiel/);
  });

  it("explains deliveries without a signature as headers stripped on the way", async () => {
    expect(await deliver(webhookRequest(body(), { signature: null }))).toBe(401);
    expect(await deliver(webhookRequest(body(), { signature: null }))).toBe(401);
    const missing = await group("signature:missing_signature");
    expect(missing.count).toBe(2);
    expect(missing.evidence).toMatchObject({ kind: "signature", reasonCode: "missing_signature", sourceCount: 1, userAgents: [{ value: "RxScale-Webhooks/1.0", count: 2 }] });
    expect(describeFailureGroup(missing, utc).cause).toMatch(/No X-Webhook-Signature header at all on 2 requests.*stripping headers/);
  });

  it("recognises a prefixed signature by its shape without repeating it", async () => {
    expect(await deliver(webhookRequest(body(), { signature: `sha256=${"a".repeat(64)}` }))).toBe(401);
    const malformed = await group("signature:malformed_signature");
    expect(malformed.evidence).toMatchObject({ kind: "signature", signatureShapes: [{ value: "prefixed", count: 1 }] });
    expect(describeFailureGroup(malformed, utc).cause).toMatch(/prefix such as `sha256=`/);
    expect(JSON.stringify(malformed)).not.toContain("a".repeat(64));
  });

  it("groups each kind of unusable body under its own reason with what went wrong", async () => {
    const notJson = "{not json";
    expect(await deliver(webhookRequest(notJson, { secret: SECRET }))).toBe(200);
    const noTimestamp = JSON.stringify({ event_type: "pharmacy_order_updated", payload_version: "1", data: { uid: "po-x", status: "init" } });
    expect(await deliver(webhookRequest(noTimestamp, { secret: SECRET }))).toBe(200);
    expect(await deliver(webhookRequest(JSON.stringify({ event_type: "x", timestamp: 1, payload_version: "1", data: { pad: "x".repeat(5000) } }), { secret: SECRET }))).toBe(413);
    expect(await deliver(webhookRequest(body(), { secret: SECRET, headers: { "content-type": "text/plain" } }))).toBe(200);
    expect(await deliver(webhookRequest(body(), { secret: SECRET, headers: { "content-encoding": "gzip" } }))).toBe(200);

    const invalidJson = await group("payload:invalid_json");
    expect(describeFailureGroup(invalidJson, utc).cause).toMatch(/signed correctly but their body is not UTF-8 JSON/);
    expect(describeFailureGroup(invalidJson, utc).title).toMatch(/^RxScale sent payloads RxWatch could not read/);
    expect(describeFailureGroup(invalidJson, utc).advice).toMatch(/re-process them — dry run first/);
    const envelope = await group("payload:invalid_envelope");
    expect(envelope.evidence).toMatchObject({ kind: "payload", envelopeProblems: [{ value: "timestamp is required", count: 1 }] });
    expect(describeFailureGroup(envelope, utc).cause).toMatch(/timestamp is required \(1\)/);
    const tooLarge = await group("payload:too_large");
    expect(describeFailureGroup(tooLarge, utc).cause).toMatch(/larger than the 4 KiB limit/);
    const mediaType = await group("payload:unsupported_media_type");
    expect(mediaType.evidence).toMatchObject({ kind: "payload", contentTypes: [{ value: "text/plain", count: 1 }] });
    expect(describeFailureGroup(mediaType, utc).cause).toMatch(/not sent as application\/json \(seen: text\/plain\)/);
    const encoding = await group("payload:unsupported_content_encoding");
    expect(describeFailureGroup(encoding, utc).cause).toMatch(/arrived compressed \(gzip\)/);
  });

  it("groups dead letters by event type and error, with the field the payload lacked, and offers a replay", async () => {
    for (let index = 0; index < 3; index++) {
      expect(await deliver(webhookRequest(body("pharmacy_order_updated", { uid: `po-dead-${index}`, order: { uid: `ord-dead-${index}` } }), { secret: SECRET }))).toBe(200);
    }
    await worker.drain();
    const { body: dto } = await failures();
    const processing = dto.groups.filter((candidate) => candidate.kind === "processing");
    expect(processing).toHaveLength(1);
    const dead = processing[0];
    if (!dead) throw new Error("missing");
    expect(dead).toMatchObject({ count: 3, evidence: { kind: "processing", eventType: "pharmacy_order_updated", dead: 3, retrying: 0, isPermanent: true } });
    expect(dead.evidence.kind === "processing" && dead.evidence.error).toMatch(/^invalid_payload: data\.status: invalid_type/);
    expect(dead.replay).toMatchObject({ statuses: ["dead"], eventType: "pharmacy_order_updated" });
    expect(describeFailureGroup(dead, utc)).toMatchObject({ title: "pharmacy_order_updated: invalid payload", cause: expect.stringMatching(/3 dead — RxScale's pharmacy_order_updated payloads lack what the handler needs \(data\.status/) });
  });

  it("shows an unknown event type with the advice to map its name, a duplicate storm and an unknown payload version", async () => {
    expect(await deliver(webhookRequest(body("prescription.signed", { uid: "px-1", order: { uid: "ord-unknown-1" } }), { secret: SECRET }))).toBe(200);
    const repeated = body();
    for (let index = 0; index < 12; index++) expect(await deliver(webhookRequest(repeated, { secret: SECRET }))).toBe(200);
    expect(await deliver(webhookRequest(envelopeBody({ event_type: "pharmacy_order_updated", timestamp: (timestamp += 1), payload_version: "2", data: { uid: "po-v2", status: "init" } }), { secret: SECRET }))).toBe(200);

    const unknown = await group("unknown_type:prescription.signed");
    expect(unknown.replay).toEqual({ statuses: ["processed"], eventType: "prescription.signed" });
    expect(describeFailureGroup(unknown, utc).advice).toMatch(/Settings → Event names, then replay/);
    const storm = await group("duplicate_storm:pharmacy_order_updated");
    expect(storm).toMatchObject({ count: 11, evidence: { kind: "duplicate_storm", events: 1, maxPerEvent: 11 } });
    expect(describeFailureGroup(storm, utc).cause).toMatch(/up to 11 times within 15 min/);
    const version = await group("unknown_version:2");
    expect(describeFailureGroup(version, utc).cause).toMatch(/payload_version 2 \(pharmacy_order_updated\)/);
  });

  it("counts stuck orders by stage", async () => {
    await updateSettings("stuckThresholds", { waitingForPharmacyHours: 1 }, null);
    const longAgo = Math.floor(Date.now() / 1000) - 3 * 3600;
    const data = { uid: "po-stuck", status: "waiting for pharmacy", updated_at: longAgo, order: { uid: "ord-stuck-1" } };
    expect(await deliver(webhookRequest(envelopeBody({ event_type: "pharmacy_order_created", timestamp: longAgo, data }), { secret: SECRET }))).toBe(200);
    await worker.drain();
    const stuck = await group("stuck_orders");
    expect(stuck.evidence).toMatchObject({ kind: "stuck_orders", byStage: [{ stage: "sent_to_pharmacy", count: 1 }] });
    expect(describeFailureGroup(stuck, utc).cause).toMatch(/1 order stayed in a stage longer than its time budget \(Sent to pharmacy 1\)/);
  });

  it("health chart counts deliveries by outcome and reports the backlog", async () => {
    const read = async () => {
      const response = await getHealthRoute(new Request("http://rxwatch.test/api/failures/health?range=1h", { headers: { authorization: `Bearer ${supportToken}` } }), { params: Promise.resolve({}) });
      return deliveryHealthDtoSchema.parse(await response.json());
    };
    const health = await read();
    expect(health.points).toHaveLength(60);
    expect(health.totals.rejected).toBe(9);
    expect(health.totals.quarantined).toBe(4);
    expect(health.totals.accepted).toBeGreaterThan(0);
    expect(health.totals.duplicate).toBe(11);
    expect(health.backlog.dead).toBe(3);
    // Acknowledgement times are written just after each answer, off its path.
    await expect.poll(async () => (await read()).totals.p95AckMs, { timeout: 10_000 }).not.toBeNull();
  });

  it("without a range the health chart shows the shortest range that holds every delivery, and says so", async () => {
    const read = async (search: string) => {
      const response = await getHealthRoute(new Request(`http://rxwatch.test/api/failures/health${search}`, { headers: { authorization: `Bearer ${supportToken}` } }), { params: Promise.resolve({}) });
      return deliveryHealthDtoSchema.parse(await response.json());
    };
    // Every delivery of this file arrived minutes ago: a six-hour chart would show them as one spike at its right edge.
    expect(await read("")).toMatchObject({ range: "1h", isAutomatic: true, bucketSeconds: 60 });
    expect(await read("?range=auto")).toMatchObject({ range: "1h", isAutomatic: true });
    expect(await read("?range=6h")).toMatchObject({ range: "6h", isAutomatic: false });
  });

  it("acknowledges and resolves a group as a person, reopens it as a new episode when it recurs, and resolves it by itself once quiet", async () => {
    const post = (action: string) =>
      changeGroup(
        new Request("http://rxwatch.test/api/failures/x", { method: "POST", headers: { authorization: `Bearer ${supportToken}`, "content-type": "application/json" }, body: JSON.stringify({ action }) }),
        { params: Promise.resolve({ key: "signature:bad_signature" }) },
      );
    expect((await post("acknowledge")).status).toBe(200);
    expect(await group("signature:bad_signature")).toMatchObject({ state: "acknowledged", acknowledgedBy: "support desk (API token)" });
    expect((await post("acknowledge")).status).toBe(409);
    expect((await post("resolve")).status).toBe(200);
    expect(await group("signature:bad_signature")).toMatchObject({ state: "resolved", resolvedBy: "support desk (API token)", isActive: false });

    // RxScale retries the refused deliveries: the group reopens, counting only the new episode.
    for (let index = 0; index < 2; index++) expect(await deliver(webhookRequest(body(), { secret: WRONG_SECRET }))).toBe(401);
    expect(await group("signature:bad_signature")).toMatchObject({ state: "open", count: 2, acknowledgedBy: null, resolvedBy: null });

    const later = await scanFailures(new Date(Date.now() + 31 * 60_000));
    expect(later.groups.find((candidate) => candidate.key === "signature:bad_signature")).toMatchObject({ state: "resolved", resolvedBy: null });
  });

  it("reports silence once no delivery arrived for the window while subscriptions are expected", async () => {
    const now = Date.now();
    // (An earlier test's scan half an hour ahead already saw silence; within the window it is over.)
    expect((await scanFailures(new Date(now + 10 * 60_000))).groups.find((candidate) => candidate.key === "silence")?.state ?? "resolved").toBe("resolved");
    const silent = (await scanFailures(new Date(now + 45 * 60_000))).groups.find((candidate) => candidate.key === "silence");
    expect(silent).toMatchObject({ state: "open", evidence: { kind: "silence", windowMinutes: 30, expectedTypes: ["pharmacy_order_created", "pharmacy_order_updated"] } });
    if (!silent) throw new Error("missing");
    expect(describeFailureGroup(silent, utc).cause).toMatch(/No delivery since .*longer than the 30-minute window/);
    // Deliveries arrive again: the silence resolves by itself.
    expect(await deliver(webhookRequest(body(), { secret: SECRET }))).toBe(200);
    expect((await scanFailures(new Date())).groups.find((candidate) => candidate.key === "silence")).toMatchObject({ state: "resolved", resolvedBy: null });
  });

  it("keeps failures from staff", async () => {
    expect((await failures(staffToken)).status).toBe(403);
  });
});
