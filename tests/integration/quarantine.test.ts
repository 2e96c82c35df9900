import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getDeliveries } from "@/app/api/deliveries/route";
import { POST as postReprocess } from "@/app/api/deliveries/quarantine/reprocess/route";
import { deliveriesPageDtoSchema, quarantineReprocessDtoSchema } from "@/lib/deliveries";
import { createApiToken } from "@/server/auth/tokens";
import { createDb } from "@/server/core/db";
import { readWebhookResponse, webhookRequest } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * Quarantine end to end: correctly signed deliveries RxWatch cannot read are
 * answered 200 and kept; support re-processes them, dry run first, through
 * the real route, and the readable ones become events exactly once.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_quarantine_test_secret_01";
  return "whsec_quarantine_test_secret_01";
});

const audits = vi.hoisted(() => [] as unknown[]);
vi.mock("@/server/audit/record-audit", () => ({
  recordAudit: async (record: unknown) => {
    audits.push(record);
  },
}));

const client = createDb(process.env.DATABASE_URL ?? "");
let supportToken = "";
let staffToken = "";

beforeAll(async () => {
  supportToken = (await createApiToken({ name: "support", role: "support" }, null)).secret;
  staffToken = (await createApiToken({ name: "staff", role: "staff" }, null)).secret;
});

afterAll(async () => {
  await client.$disconnect();
});

function envelopeText(uid: string): string {
  return JSON.stringify({ event_type: "pharmacy_order_updated", timestamp: 1_790_000_000, payload_version: "1", data: { uid, status: "in-progress", patient_data: { uid: "pat-1", display_name: "Erika Beispiel" } } });
}

async function reprocess(dryRun: boolean | undefined, token = supportToken) {
  const request = new Request("http://rxwatch.test/api/deliveries/quarantine/reprocess", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(dryRun === undefined ? {} : { dryRun }),
  });
  return postReprocess(request, { params: Promise.resolve({}) });
}

describe(`quarantine on ${testProvider()}`, () => {
  it("keeps unreadable signed deliveries, lists them with their reason, and releases the readable ones after a dry run", async () => {
    const uid = `po-${randomUUID()}`;
    const noContentType = await readWebhookResponse(await postWebhook(webhookRequest(envelopeText(uid), { secret: SECRET, omitHeaders: ["content-type"] })));
    const notJson = await readWebhookResponse(await postWebhook(webhookRequest("{not json", { secret: SECRET })));
    expect(noContentType.json.status).toBe("quarantined");
    expect(notJson.json.status).toBe("quarantined");

    const listed = deliveriesPageDtoSchema.parse(
      await (await getDeliveries(new Request("http://rxwatch.test/api/deliveries?outcome=quarantined", { headers: { authorization: `Bearer ${supportToken}` } }), { params: Promise.resolve({}) })).json(),
    );
    expect(listed.deliveries.map((row) => [row.reasonCode, row.reasonDetail])).toEqual(
      expect.arrayContaining([
        ["unsupported_media_type", "content-type: must be application/json (UTF-8)"],
        ["invalid_json", "(body): must be UTF-8 JSON"],
      ]),
    );

    expect((await reprocess(true, staffToken)).status).toBe(403);

    const dry = quarantineReprocessDtoSchema.parse(await (await reprocess(undefined)).json());
    expect(dry).toMatchObject({ dryRun: true, examined: 2, released: 1, newEvents: 0, remaining: 2, stillQuarantined: [{ reasonCode: "invalid_json", detail: "(body): must be UTF-8 JSON", count: 1 }] });
    expect(await client.webhookEvent.count({ where: { dataUid: uid } })).toBe(0);

    const run = quarantineReprocessDtoSchema.parse(await (await reprocess(false)).json());
    expect(run).toMatchObject({ dryRun: false, examined: 2, released: 1, newEvents: 1, remaining: 1 });
    const event = await client.webhookEvent.findFirst({ where: { dataUid: uid } });
    expect(event).toMatchObject({ eventType: "pharmacy_order_updated", status: "pending", duplicateCount: 0 });
    const released = await client.delivery.findUnique({ where: { id: String(noContentType.json.delivery_id) } });
    expect(released).toMatchObject({ outcome: "released", eventId: event?.id, reasonCode: "unsupported_media_type", httpStatus: 200 });
    expect(audits).toEqual(expect.arrayContaining([expect.objectContaining({ action: "quarantine.reprocess", details: expect.objectContaining({ dryRun: false, released: 1 }) })]));
    expect(JSON.stringify(audits)).not.toContain("Erika");

    const again = quarantineReprocessDtoSchema.parse(await (await reprocess(false)).json());
    expect(again).toMatchObject({ examined: 1, released: 0, remaining: 1 });
    expect(await client.webhookEvent.count({ where: { dataUid: uid } })).toBe(1);
  });
});
