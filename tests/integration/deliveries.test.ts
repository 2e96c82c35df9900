import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getDeliveries } from "@/app/api/deliveries/route";
import { GET as getDelivery } from "@/app/api/deliveries/[id]/route";
import { POST as postReveal } from "@/app/api/deliveries/[id]/reveal/route";
import { GET as getExport } from "@/app/api/deliveries/export/route";
import { deliveriesPageDtoSchema, deliveryDetailDtoSchema, type DeliveryRowDto } from "@/lib/deliveries";
import { Prisma } from "@/server/core/db";
import { createApiToken } from "@/server/auth/tokens";
import { createDb } from "@/server/core/db";
import { createInboxWorker } from "@/server/processing/worker";
import { deliveryLogIdsSql, matchingEventsProbeSql, type DeliveryLogFilter, type DeliveryPosition } from "@/server/repositories/delivery-queries";
import { sign, webhookRequest } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * The deliveries list end to end: deliveries go in through the real webhook route
 * (accepted, duplicate and rejected alike) and come out of the real list,
 * detail and export handlers, on this project's database provider.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_event_log_test_secret_01";
  return "whsec_event_log_test_secret_01";
});

const audits = vi.hoisted(() => [] as unknown[]);
vi.mock("@/server/audit/record-audit", () => ({
  recordAudit: async (record: unknown) => {
    audits.push(record);
  },
}));

const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 100 } });
let staffToken = "";
let supportToken = "";

beforeAll(async () => {
  staffToken = (await createApiToken({ name: "staff", role: "staff" }, null)).secret;
  supportToken = (await createApiToken({ name: "support", role: "support" }, null)).secret;
});

beforeEach(() => {
  audits.length = 0;
});

const ackSchema = z.object({ status: z.enum(["accepted", "duplicate"]), event_id: z.string() });
let clock = 1_800_000_000;

/** A pharmacy order's data with all the keys the log searches by (and patient data, as the real ones carry). */
function pharmacyOrder(orderUid: string, status = "waiting for pharmacy") {
  return {
    uid: `po-${orderUid}`,
    status,
    name: `#${orderUid}`,
    pharmacy: { uid: `ph-${orderUid}`, display_name: "Apotheke am Markt" },
    order: { uid: orderUid },
    patient_data: { uid: `pat-${orderUid}`, display_name: "Erika Beispiel", date_of_birth: "1985-06-30" },
  };
}

function body(eventType: string, data: Record<string, unknown>, timestamp = (clock += 60)): string {
  return JSON.stringify({ event_type: eventType, timestamp, payload_version: "1", data });
}

/** Sends a correctly signed body through the real webhook route; returns the stored event's id. */
async function send(text: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await postWebhook(webhookRequest(text, { secret: SECRET, headers }));
  expect(response.status).toBe(200);
  return ackSchema.parse(await response.json()).event_id;
}

/** Sends a correctly signed request RxWatch cannot read: quarantined, answered 200. */
async function sendQuarantined(text: string | Uint8Array, options: Parameters<typeof webhookRequest>[1]): Promise<void> {
  const response = await postWebhook(webhookRequest(text, options));
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ status: "quarantined" });
}

/** Sends a request that will be refused; returns the status it got. */
async function sendRejected(text: string | Uint8Array, options: Parameters<typeof webhookRequest>[1]): Promise<number> {
  const response = await postWebhook(webhookRequest(text, options));
  expect(response.status).toBeGreaterThanOrEqual(400);
  return response.status;
}

function authorised(path: string, token: string): Request {
  return new Request(`http://rxwatch.test${path}`, { headers: { authorization: `Bearer ${token}` } });
}

async function list(search: string, token = supportToken) {
  const response = await getDeliveries(authorised(`/api/deliveries?${search}`, token), { params: Promise.resolve({}) });
  expect(response.status).toBe(200);
  return deliveriesPageDtoSchema.parse(await response.json());
}

async function detail(id: string, token = supportToken) {
  const response = await getDelivery(authorised(`/api/deliveries/${id}`, token), { params: Promise.resolve({ id }) });
  return { status: response.status, body: response.status === 200 ? deliveryDetailDtoSchema.parse(await response.json()) : null };
}

/** Reveals the delivery's personal data to the support token (audit mocked here; see data-protection.test.ts). */
async function reveal(id: string) {
  const request = new Request(`http://rxwatch.test/api/deliveries/${id}/reveal`, { method: "POST", headers: { authorization: `Bearer ${supportToken}`, "content-type": "application/json" }, body: JSON.stringify({ reason: "checking the raw body for a test" }) });
  const response = await postReveal(request, { params: Promise.resolve({ id }) });
  expect(response.status).toBe(201);
}

async function exportOf(search: string, token = supportToken) {
  const response = await getExport(authorised(`/api/deliveries/export?${search}`, token), { params: Promise.resolve({}) });
  return { response, text: response.status === 200 ? await response.text() : "" };
}

/**
 * A moment strictly after every delivery so far and strictly before every
 * later one (receipt times have millisecond resolution), so a test can list
 * exactly its own deliveries by time.
 */
async function mark(): Promise<Date> {
  const at = new Date(Date.now() + 1);
  await new Promise((resolve) => setTimeout(resolve, 3));
  return at;
}

/** Everything received from `since` on, through the custom time range (deliveries of other tests are older). */
function since(at: Date): string {
  return `range=custom&from=${encodeURIComponent(at.toISOString())}`;
}

const idsOf = (rows: readonly DeliveryRowDto[]) => rows.map((row) => row.id);

describe("deliveries", () => {
  it("lists every delivery newest first, accepted, duplicate and rejected, with the event's keys and processing state", async () => {
    const start = await mark();
    const orderUid = `ord-${randomUUID().slice(0, 8)}`;
    const text = body("pharmacy_order_created", pharmacyOrder(orderUid));
    const eventId = await send(text);
    await send(text);
    await sendRejected(text, { secret: "whsec_not_the_configured_one" });
    await sendRejected(text, { signature: null });

    const page = await list(since(start));
    expect(page.deliveries.map((row) => [row.outcome, row.reasonCode, row.httpStatus])).toEqual([
      ["rejected", "missing_signature", 401],
      ["rejected", "bad_signature", 401],
      ["duplicate", null, 200],
      ["accepted", null, 200],
    ]);
    const times = page.deliveries.map((row) => Date.parse(row.receivedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const accepted = page.deliveries[3];
    expect(accepted?.event).toMatchObject({ id: eventId, type: "pharmacy_order_created", status: "pending", attempts: 0, duplicateCount: 1, orderUid, pharmacyOrderUid: `po-${orderUid}` });
    expect(page.deliveries[0]?.event).toBeNull();
    expect(page.deliveries[0]?.eventTypeHeader).toBeNull();

    await worker.drain();
    const processed = await list(`${since(start)}&outcome=accepted`);
    expect(processed.deliveries[0]?.event).toMatchObject({ status: "processed", attempts: 1 });
    expect(JSON.stringify(processed)).not.toMatch(/Erika|1985-06-30/);
  });

  it("filters by outcome, event type, processing state, time range and order uid", async () => {
    const start = await mark();
    const [first, second] = [`ord-${randomUUID().slice(0, 8)}`, `ord-${randomUUID().slice(0, 8)}`];
    const type = `evlog_filter_${randomUUID().slice(0, 6)}`;
    await send(body("pharmacy_order_created", pharmacyOrder(first)));
    await worker.drain();
    await send(body("pharmacy_order_updated", pharmacyOrder(first, "in-progress")));
    await send(body("pharmacy_order_created", pharmacyOrder(second)));
    await send(body(type, { uid: `x-${second}` }));
    await sendRejected(body("pharmacy_order_created", pharmacyOrder(second)), { signature: "sha256=abc" });

    const outcomes = async (search: string) => (await list(`${since(start)}&${search}`)).deliveries.map((row) => row.outcome);
    expect(await outcomes("outcome=rejected")).toEqual(["rejected"]);
    expect(await outcomes("outcome=accepted")).toHaveLength(4);
    const byType = await list(`${since(start)}&type=pharmacy_order_created`);
    expect(byType.deliveries.map((row) => row.event?.orderUid)).toEqual([second, first]);
    expect((await list(`type=${type}`)).deliveries.map((row) => row.event?.type)).toEqual([type]);
    // Rejected deliveries never became events: an event filter excludes them.
    expect((await list(`type=pharmacy_order_created&outcome=rejected&${since(start)}`)).deliveries).toEqual([]);

    const processed = await list(`${since(start)}&state=processed`);
    expect(processed.deliveries.map((row) => row.event?.orderUid)).toEqual([first]);
    const pending = await list(`${since(start)}&state=pending`);
    expect(pending.deliveries).toHaveLength(3);

    const byOrder = await list(`order=${first}`);
    expect(byOrder.deliveries.map((row) => row.event?.status)).toEqual(["pending", "processed"]);
    const firstReceivedAt = byOrder.deliveries[1]?.receivedAt ?? "";
    const window = await list(`range=custom&from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(firstReceivedAt)}`);
    expect(window.deliveries.map((row) => row.event?.orderUid)).toEqual([first]);
    expect((await list(`order=${first}&range=15m`)).deliveries).toHaveLength(2);
  });

  it("finds an order's deliveries by each extracted key from the search box", async () => {
    const orderUid = `ord-${randomUUID().slice(0, 8)}`;
    await send(body("pharmacy_order_created", pharmacyOrder(orderUid)));
    await send(body("pharmacy_order_updated", pharmacyOrder(orderUid, "in-progress")));
    await send(body("order_created", { uid: orderUid, status: "init" }));
    await send(body("pharmacy_order_created", pharmacyOrder(`${orderUid}-other`)));

    const found = async (q: string) => (await list(`q=${encodeURIComponent(q)}`)).deliveries.map((row) => row.event?.type);
    expect(await found(orderUid)).toEqual(["order_created", "pharmacy_order_updated", "pharmacy_order_created"]);
    for (const q of [`po-${orderUid}`, `#${orderUid}`, orderUid.replace(/^/, "#").slice(1), `pat-${orderUid}`, `ph-${orderUid}`]) {
      expect(await found(q), q).toEqual(expect.arrayContaining(["pharmacy_order_updated", "pharmacy_order_created"]));
      expect((await found(q)).length, q).toBeGreaterThanOrEqual(2);
    }
    // "#name" without the "#" finds the shop order name too.
    expect(await found(`po-${orderUid}`)).toEqual(["pharmacy_order_updated", "pharmacy_order_created"]);
    expect(await found(`pat-${orderUid}`)).toEqual(["pharmacy_order_updated", "pharmacy_order_created"]);
    expect(await found(`ph-${orderUid}`)).toEqual(["pharmacy_order_updated", "pharmacy_order_created"]);
    expect(await found(`#${orderUid}`)).toEqual(["pharmacy_order_updated", "pharmacy_order_created"]);
    expect(await found("nothing-has-this-key")).toEqual([]);
  });

  it("keeps cursor pages exact while new deliveries arrive between them, and lists what arrived after the newest shown", async () => {
    const start = await mark();
    const type = `evlog_pages_${randomUUID().slice(0, 6)}`;
    for (let index = 0; index < 7; index++) await send(body(type, { uid: `p-${index}` }));

    // Both ways a query runs: deliveries alone (time range) and through the event (type).
    for (const filter of [since(start), `type=${type}`]) {
      const before = idsOf((await list(filter)).deliveries);
      const first = await list(`${filter}&limit=3`);
      if (!first.nextCursor || !first.newestCursor) throw new Error("expected more pages");
      // New rows arrive at the top while someone reads older pages.
      const arrived = [await send(body(type, { uid: `late-${randomUUID()}` })), await send(body(type, { uid: `late-${randomUUID()}` }))];
      const second = await list(`${filter}&limit=3&cursor=${first.nextCursor}`);
      if (!second.nextCursor) throw new Error("expected a third page");
      const third = await list(`${filter}&limit=3&cursor=${second.nextCursor}`);
      expect(idsOf([...first.deliveries, ...second.deliveries, ...third.deliveries])).toEqual(before.slice(0, 9));

      const newer = await list(`${filter}&newer=${first.newestCursor}`);
      expect(newer.deliveries.map((row) => row.event?.id)).toEqual([...arrived].reverse());
      expect(newer.nextCursor).toBeNull();
    }
    const broken = await getDeliveries(authorised("/api/deliveries?cursor=not-a-cursor", supportToken), { params: Promise.resolve({}) });
    expect(broken.status).toBe(400);
  });

  it("shows an accepted delivery's headers, pretty body, verification, event, duplicates and processing attempts", async () => {
    const orderUid = `ord-${randomUUID().slice(0, 8)}`;
    const text = body("pharmacy_order_created", { ...pharmacyOrder(orderUid), big: 12345678901234567890 }).replace('"big":12345678901234567000', '"big":12345678901234567890');
    const eventId = await send(text, { "x-webhook-event": "pharmacy_order_created" });
    await send(text, { "x-webhook-event": "pharmacy_order_created" });
    await worker.drain();
    const rows = (await list(`order=${orderUid}`)).deliveries;
    const original = rows.find((row) => row.outcome === "accepted");
    if (!original) throw new Error("no accepted delivery");

    const { body: masked } = await detail(original.id);
    if (masked?.body.kind !== "json") throw new Error("no masked json detail");
    expect(masked.body.text).toContain('\n  "event_type": "pharmacy_order_created",');
    expect(masked.body.text).toContain('"big": "‹unlisted›"');
    expect(masked.body.text).not.toContain("Erika");
    expect(masked.personalData).toMatchObject({ masked: true, revealExpiresAt: null, canReveal: true });

    await reveal(original.id);
    const { body: shown } = await detail(original.id);
    if (!shown) throw new Error("no detail");
    expect(shown.verification).toMatchObject({ status: "verified", secretId: "env:1", secretDescription: "Entry 1 of RXSCALE_SIGNING_SECRETS", signatureHeader: sign(text, SECRET) });
    expect(shown.headers).toEqual(expect.arrayContaining([{ name: "x-webhook-event", value: "pharmacy_order_created" }, { name: "content-type", value: "application/json" }]));
    expect(shown.body.kind).toBe("json");
    if (shown.body.kind !== "json") throw new Error("not json");
    // Revealed, the body is re-indented, not re-serialised: every digit stays.
    expect(shown.body.text).toContain('\n  "event_type": "pharmacy_order_created",');
    expect(shown.body.text).toContain('"big": 12345678901234567890');
    expect(shown.body.size).toBe(Buffer.byteLength(text));
    expect(shown.event).toMatchObject({ id: eventId, type: "pharmacy_order_created", dataUid: `po-${orderUid}`, payloadVersion: "1", duplicateCount: 1, status: "processed", attempts: 1, orderUid, pharmacyOrderUid: `po-${orderUid}`, shopOrderName: `#${orderUid}` });
    expect(shown.eventDeliveries.map((delivery) => delivery.outcome)).toEqual(["duplicate", "accepted"]);
    expect(shown.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: "succeeded", error: null })]);
    expect(shown.delivery.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await detail("no-such-delivery")).status).toBe(404);
  });

  it("says why a rejected delivery failed verification, or that it was never checked, and why a verified one is quarantined", async () => {
    const start = await mark();
    const text = body("pharmacy_order_created", pharmacyOrder(`ord-${randomUUID().slice(0, 8)}`));
    await sendRejected(text, { secret: "whsec_rotated_away_secret" });
    await sendRejected(text, { signature: null });
    await sendRejected(text, { signature: "sha256=0123" });
    await sendRejected(text, { secret: SECRET, headers: { "content-length": String(64 * 1024 * 1024) } });
    await sendQuarantined(text, { secret: SECRET, headers: { "content-type": "text/plain" } });
    const binary = new Uint8Array([0xff, 0xfe, 0x00, 0x7b]);
    await sendQuarantined(binary, { secret: SECRET });

    const rows = (await list(since(start))).deliveries;
    const byReason = new Map(rows.map((row) => [row.reasonCode, row.id]));
    const verificationOf = async (reason: string) => {
      const id = byReason.get(reason);
      if (!id) throw new Error(`no ${reason} delivery`);
      const { body: shown } = await detail(id);
      if (!shown) throw new Error("no detail");
      return shown;
    };

    const bad = await verificationOf("bad_signature");
    expect(bad.verification).toMatchObject({ status: "failed", reasonCode: "bad_signature", secretId: null });
    expect(bad.verification.explanation).toMatch(/body was changed on the way .* signed with a secret RxWatch does not hold/);
    expect(bad.verification.explanation).toMatch(/cannot tell these two apart/);
    expect(bad.body.kind).toBe("json");
    expect(bad.event).toBeNull();
    expect(bad.eventDeliveries).toEqual([]);

    expect((await verificationOf("missing_signature")).verification).toMatchObject({ status: "failed", signatureHeader: null, explanation: expect.stringMatching(/no X-Webhook-Signature header/) });
    expect((await verificationOf("malformed_signature")).verification).toMatchObject({ status: "failed", signatureHeader: "sha256=0123", explanation: expect.stringMatching(/not 64 hexadecimal characters/) });
    const tooLarge = await verificationOf("too_large");
    expect(tooLarge.verification).toMatchObject({ status: "not_checked", explanation: expect.stringMatching(/before the signature was checked/) });
    expect(tooLarge.body).toEqual({ kind: "none", size: 0, reason: "not_read" });

    const unsupported = await verificationOf("unsupported_media_type");
    expect(unsupported.delivery).toMatchObject({ outcome: "quarantined", httpStatus: 200, reasonDetail: "content-type: must be application/json (UTF-8)" });
    expect(unsupported.verification).toMatchObject({ status: "verified", reasonCode: "unsupported_media_type", explanation: expect.stringMatching(/authentic, but RxWatch could not read it \(unsupported_media_type: content-type: must be application\/json \(UTF-8\)\)\. It is kept in quarantine/) });
    expect(unsupported.body.kind).toBe("json");

    const notJson = await verificationOf("invalid_json");
    expect(notJson.verification).toMatchObject({ status: "verified", secretId: "env:1", reasonCode: "invalid_json" });
    expect(notJson.delivery).toMatchObject({ outcome: "quarantined", reasonDetail: "(body): must be UTF-8 JSON" });
    // Bytes that are not text cannot be masked field by field: hidden whole until revealed.
    expect(notJson.body).toMatchObject({ kind: "binary", size: 4, previewBytes: 0, hexPreview: "‹unparsed›" });
    await reveal(notJson.delivery.id);
    expect((await verificationOf("invalid_json")).body).toMatchObject({ kind: "binary", size: 4, previewBytes: 4, hexPreview: "00000000  ff fe 00 7b" });
  });

  it("exports the filtered view as CSV and NDJSON with metadata only, escaped, as an attachment", async () => {
    const start = await mark();
    const orderUid = `ord-${randomUUID().slice(0, 8)}`;
    await send(body("pharmacy_order_created", pharmacyOrder(orderUid)));
    await sendRejected(body("pharmacy_order_created", pharmacyOrder(orderUid)), { signature: null, headers: { "x-webhook-event": '=HYPERLINK("x"),evil' } });

    const csv = await exportOf(`${since(start)}&format=csv`);
    expect(csv.response.status).toBe(200);
    expect(csv.response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.response.headers.get("content-disposition")).toMatch(/^attachment; filename="rxwatch-deliveries-\d{8}T\d{6}Z\.csv"$/);
    const lines = csv.text.split("\r\n");
    expect(lines[0]).toBe(
      "received_at,delivery_id,outcome,http_status,reason_code,flags,event_type,event_type_header,event_id,processing_state,attempts,duplicate_count,order_uid,pharmacy_order_uid,shop_order_name,pharmacy_uid,matched_secret_id,source_address,body_size,body_sha256,ack_ms",
    );
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");
    expect(lines[1]).toContain(`,rejected,401,missing_signature,,,"'=HYPERLINK(""x""),evil",,`);
    expect(lines[2]).toContain(`,accepted,200,,,pharmacy_order_created,,`);
    expect(lines[2]).toContain(`,${orderUid},po-${orderUid},#${orderUid},ph-${orderUid},env:1,203.0.113.7,`);
    expect(csv.text).not.toMatch(/Erika|1985-06-30|pat-/);

    const ndjson = await exportOf(`${since(start)}&format=ndjson&outcome=accepted`);
    expect(ndjson.response.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(ndjson.response.headers.get("content-disposition")).toMatch(/\.ndjson"$/);
    const records = ndjson.text.trimEnd().split("\n").map((line) => z.record(z.string(), z.unknown()).parse(JSON.parse(line)));
    expect(records).toEqual([expect.objectContaining({ outcome: "accepted", event_type: "pharmacy_order_created", order_uid: orderUid, http_status: 200, event_type_header: null })]);
    expect(audits).toEqual([
      expect.objectContaining({ action: "deliveries.export", details: expect.objectContaining({ format: "csv", result: "started", masked: true, bodies: false, filterRange: "custom", filterOutcome: null }) }),
      expect.objectContaining({ action: "deliveries.export", details: expect.objectContaining({ format: "csv", rows: 2, result: "completed", filterRange: "custom", filterOutcome: null }) }),
      expect.objectContaining({ action: "deliveries.export", details: expect.objectContaining({ format: "ndjson", result: "started", filterOutcome: "accepted" }) }),
      expect.objectContaining({ action: "deliveries.export", details: expect.objectContaining({ format: "ndjson", rows: 1, result: "completed", filterOutcome: "accepted" }) }),
    ]);
  });

  it("shows a deeply nested stored body as not displayable and exports it as a placeholder row, audited truthfully", async () => {
    const start = await mark();
    const deep = `${"[".repeat(2000)}${"]".repeat(2000)}`;
    expect(await sendRejected(deep, { signature: null })).toBe(401);
    const [row] = (await list(since(start))).deliveries;
    const shown = await detail(row?.id ?? "");
    expect(shown.status).toBe(200);
    expect(shown.body?.body).toEqual(expect.objectContaining({ kind: "not_displayable", reason: "too_deep", size: 4000 }));

    const ndjson = await exportOf(`${since(start)}&format=ndjson&bodies=true`);
    const records = ndjson.text.trimEnd().split("\n").map((line) => z.record(z.string(), z.unknown()).parse(JSON.parse(line)));
    expect(records).toEqual([expect.objectContaining({ delivery_id: row?.id, body: "‹not_displayable›" })]);
    expect(audits.at(-1)).toEqual(expect.objectContaining({ details: expect.objectContaining({ rows: 1, result: "completed", bodiesNotDisplayable: 1 }) }));
  });

  it("stops an export at its row bound and says so in the last line, across several pages", async () => {
    const start = await mark();
    const orderUid = `ord-${randomUUID().slice(0, 8)}`;
    for (let index = 0; index < 5; index++) await send(body("pharmacy_order_updated", pharmacyOrder(orderUid, `step-${index}`)));

    const csv = await exportOf(`${since(start)}&max=3`);
    expect(csv.response.headers.get("x-rxwatch-export-max-rows")).toBe("3");
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe("# truncated after 3 rows (the export limit); narrow the filters or the time range to get the rest");

    const ndjson = (await exportOf(`q=${orderUid}&format=ndjson&max=4`)).text.trimEnd().split("\n");
    expect(ndjson).toHaveLength(5);
    expect(JSON.parse(ndjson[4] ?? "")).toMatchObject({ truncated: true, rows: 4 });
    const exact = (await exportOf(`q=${orderUid}&format=ndjson&max=5`)).text.trimEnd().split("\n");
    expect(exact).toHaveLength(5);
    expect(exact.some((line) => line.includes("truncated"))).toBe(false);

    const ended = audits.filter((audit) => z.object({ details: z.object({ result: z.string() }) }).parse(audit).details.result !== "started");
    expect(audits).toHaveLength(2 * ended.length);
    expect(ended.map((audit) => z.object({ details: z.object({ rows: z.number(), result: z.string(), filterSearch: z.string().nullable() }) }).parse(audit).details)).toEqual([
      { rows: 3, result: "truncated", filterSearch: null },
      { rows: 4, result: "truncated", filterSearch: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) },
      { rows: 5, result: "completed", filterSearch: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) },
    ]);
    expect(JSON.stringify(audits)).not.toContain(orderUid);
  });

  it("keeps staff and anonymous callers out of the list, the detail and the export", async () => {
    const orderUid = `ord-${randomUUID().slice(0, 8)}`;
    await send(body("pharmacy_order_created", pharmacyOrder(orderUid)));
    const row = (await list(`order=${orderUid}`)).deliveries[0];
    if (!row) throw new Error("no row");
    expect((await getDeliveries(authorised("/api/deliveries", staffToken), { params: Promise.resolve({}) })).status).toBe(403);
    expect((await detail(row.id, staffToken)).status).toBe(403);
    expect((await exportOf("format=csv", staffToken)).response.status).toBe(403);
    expect((await getDeliveries(new Request("http://rxwatch.test/api/deliveries"), { params: Promise.resolve({}) })).status).toBe(401);
    expect(audits).toEqual([]);
  });
});

/*
 * Every filter of the deliveries list is answered through an index, never by
 * reading a table through or sorting it whole: checked on SQLite's plans,
 * which (without statistics) are the same at a million rows as here.
 * PostgreSQL chooses its plans from statistics.
 */
// Registered on SQLite only: the plans checked are SQLite's.
if (testProvider() === "sqlite") describe("deliveries query plans on SQLite", () => {
  const client = createDb(process.env.DATABASE_URL ?? "");
  const planOf = async (sql: Prisma.Sql) =>
    z
      .array(z.object({ detail: z.string() }))
      .parse(await client.$queryRaw(Prisma.sql`EXPLAIN QUERY PLAN ${sql}`))
      .map((row) => row.detail)
      .join("\n");
  const position = (direction: DeliveryPosition["direction"]): DeliveryPosition => ({ after: { receivedAt: new Date(), id: "01a00000-0000-7000-8000-000000000000" }, direction });
  const search = { value: "ord-1", shopOrderNames: ["ord-1", "#ord-1"] };
  const eventFilters: Record<string, DeliveryLogFilter> = {
    type: { eventType: "pharmacy_order_updated" },
    state: { eventStatus: "dead" },
    order: { orderUid: "ord-1" },
    search: { search },
  };
  const EVENT_INDEX: Record<string, RegExp> = {
    type: /SEARCH e USING (COVERING )?INDEX webhook_event_event_type_\w+ \(event_type=\?\)/,
    state: /SEARCH e USING (COVERING )?INDEX webhook_event_status_next_attempt_at_id_idx \(status=\?\)/,
    order: /SEARCH e USING (COVERING )?INDEX webhook_event_order_uid_idx \(order_uid=\?\)/,
    search: /MULTI-INDEX OR[\s\S]*order_uid_idx[\s\S]*pharmacy_order_uid_idx[\s\S]*patient_key_idx[\s\S]*pharmacy_uid_idx[\s\S]*shop_order_name_idx/,
  };

  it("walks the (received_at, id) index in order for delivery filters, in both directions, without sorting", async () => {
    const cases: [DeliveryLogFilter, DeliveryPosition | null, RegExp][] = [
      [{}, null, /SCAN d USING COVERING INDEX delivery_received_at_id_idx/],
      [{}, position("older"), /SEARCH d USING COVERING INDEX delivery_received_at_id_idx \(received_at<\?\)/],
      [{}, position("newer"), /SEARCH d USING COVERING INDEX delivery_received_at_id_idx \(received_at>\?\)/],
      [{ receivedFrom: new Date(0), receivedTo: new Date() }, position("older"), /SEARCH d USING COVERING INDEX delivery_received_at_id_idx \(received_at>\? AND received_at<\?\)/],
      [{ outcome: "rejected", receivedFrom: new Date(0) }, position("older"), /SEARCH d USING COVERING INDEX delivery_outcome_received_at_id_idx \(outcome=\? AND received_at>\? AND received_at<\?\)/],
    ];
    for (const [filter, at, expected] of cases) {
      const plan = await planOf(deliveryLogIdsSql(filter, "deliveries-only", at, 101, "sqlite"));
      expect(plan, JSON.stringify(filter)).toMatch(expected);
      expect(plan, JSON.stringify(filter)).not.toMatch(/TEMP B-TREE/);
    }
  });

  it("finds rare matches through the event's index, then their deliveries through delivery(event_id)", async () => {
    for (const [name, filter] of Object.entries(eventFilters)) {
      const plan = await planOf(deliveryLogIdsSql({ ...filter, outcome: "accepted", receivedFrom: new Date(0) }, "event-driven", position("older"), 101, "sqlite"));
      expect(plan, name).toMatch(EVENT_INDEX[name] ?? /never/);
      expect(plan, name).toMatch(/SCAN m\nSEARCH d USING INDEX delivery_event_id_idx \(event_id=\?\)/);
      expect(plan, name).not.toMatch(/SCAN e\b/);
      expect(await planOf(matchingEventsProbeSql(filter)), name).toMatch(EVENT_INDEX[name] ?? /never/);
    }
  });

  it("meets common matches by walking deliveries newest first and looking each event up by its key", async () => {
    for (const [name, filter] of Object.entries(eventFilters)) {
      const plan = await planOf(deliveryLogIdsSql(filter, "delivery-driven", position("older"), 101, "sqlite"));
      expect(plan, name).toMatch(/SEARCH d USING INDEX delivery_received_at_id_idx \(received_at<\?\)/);
      expect(plan, name).toMatch(/SEARCH e USING INDEX sqlite_autoindex_webhook_event_1 \(id=\?\)/);
      expect(plan, name).not.toMatch(/TEMP B-TREE/);
    }
    const withOutcome = await planOf(deliveryLogIdsSql({ ...eventFilters.type, outcome: "duplicate" }, "delivery-driven", null, 101, "sqlite"));
    expect(withOutcome).toMatch(/SEARCH d USING INDEX delivery_outcome_received_at_id_idx \(outcome=\?\)/);
    expect(withOutcome).not.toMatch(/TEMP B-TREE/);
  });
});
