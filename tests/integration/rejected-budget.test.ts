import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/rxscale/route";
import { GET as getDelivery } from "@/app/api/deliveries/[id]/route";
import { POST as postReveal } from "@/app/api/deliveries/[id]/reveal/route";
import { deliveryDetailDtoSchema } from "@/lib/deliveries";
import { describeFailureGroup } from "@/lib/failures";
import { createApiToken } from "@/server/auth/tokens";
import { createDb } from "@/server/core/db";
import { scanFailures } from "@/server/failures/scan";
import { openDeliveryBody } from "@/server/repositories/delivery-bodies";
import { countRejectedRequest } from "@/server/repositories/rejected-tally";
import { envelopeBody, sign, webhookRequest } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * Issue 13, finding 3: anyone can send requests without a valid signature, so
 * each keeps a sealed 4 KiB sample of its body, and only within its source's
 * budget per minute; beyond it only a counter is kept (table rejected_tally)
 * and the failures page shows the flood as one incident.
 */

vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_budget_test_secret_0001";
  process.env.RXWATCH_REJECTED_REQUESTS_PER_MINUTE = "5";
  process.env.RXWATCH_REJECTED_BYTES_PER_MINUTE = String(512 * 1024);
});

const client = createDb(process.env.DATABASE_URL ?? "");
let supportToken = "";

beforeAll(async () => {
  supportToken = (await createApiToken({ name: "support desk", role: "support" }, null)).secret;
  // Every request of a case falls into one minute, whenever the suite runs: only Date is faked.
  vi.useFakeTimers({ toFake: ["Date"], now: Math.floor(Date.now() / 60_000) * 60_000 + 20_000 });
});

afterAll(async () => {
  vi.useRealTimers();
  await client.$disconnect();
});

function unsigned(body: string | Uint8Array, source: string): Request {
  return webhookRequest(body, { headers: { "x-rxwatch-peer-address": source } });
}

async function rowsFrom(source: string) {
  return client.delivery.findMany({ where: { sourceAddress: source }, orderBy: { receivedAt: "asc" } });
}

async function tallyOf(source: string) {
  return client.rejectedTally.findMany({ where: { sourceAddress: source } });
}

/** Requests an instance dropped on its own count reach the shared tally a moment later, together. */
async function expectTally(source: string, expected: Record<string, unknown>): Promise<void> {
  await vi.waitFor(async () => expect(await tallyOf(source)).toEqual([expect.objectContaining(expected)]), { timeout: 10_000, interval: 100 });
}

describe(`the rejected-request budget on ${testProvider()}`, () => {
  it("keeps a sealed 4 KiB sample of an unsigned body, with the hash and size of the whole body", async () => {
    const body = randomBytes(256 * 1024);
    const response = await POST(unsigned(body, "198.51.100.1"));
    expect(response.status).toBe(401);
    const [row] = await rowsFrom("198.51.100.1");
    expect(row).toMatchObject({ outcome: "rejected", reasonCode: "missing_signature", bodySize: body.byteLength, bodySha256: createHash("sha256").update(body).digest("hex") });
    expect(row?.body?.byteLength).toBeLessThan(4 * 1024 + 64);
    expect(Buffer.from(row ? (openDeliveryBody(row) ?? []) : []).equals(body.subarray(0, 4 * 1024))).toBe(true);
  });

  it("stores a source's first rejected requests of a minute and only counts the rest, also when they arrive together", async () => {
    const body = envelopeBody();
    const responses = await Promise.all(Array.from({ length: 9 }, () => POST(webhookRequest(body, { secret: "whsec_not_ours", headers: { "x-rxwatch-peer-address": "198.51.100.2" } }))));
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 9 }, () => 401));
    expect(await rowsFrom("198.51.100.2")).toHaveLength(5);
    await expectTally("198.51.100.2", { requests: 9, droppedRequests: 4, bytes: BigInt(9 * Buffer.byteLength(body)), droppedBytes: BigInt(4 * Buffer.byteLength(body)) });

    const other = await POST(unsigned(body, "198.51.100.3"));
    expect(other.status).toBe(401);
    expect(await rowsFrom("198.51.100.3")).toHaveLength(1);
  });

  it("admits exactly the budget when instances count one source at the same moment (one atomic statement each)", async () => {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => countRejectedRequest("198.51.100.7", minute, 100, { requestsPerMinute: 5, bytesPerMinute: 1_000_000 })));
    expect(results.filter((result) => result.isWithinBudget)).toHaveLength(5);
    expect(await tallyOf("198.51.100.7")).toEqual([expect.objectContaining({ requests: 20, droppedRequests: 15, bytes: 2_000n, droppedBytes: 1_500n })]);
  });

  it("stops storing once a source's rejected bytes pass the budget for the minute", async () => {
    const body = randomBytes(200 * 1024);
    for (let i = 0; i < 4; i += 1) expect((await POST(unsigned(body, "198.51.100.4"))).status).toBe(401);
    expect(await rowsFrom("198.51.100.4")).toHaveLength(2);
    await expectTally("198.51.100.4", { requests: 4, droppedRequests: 2 });
  });

  it("never counts or limits correctly signed deliveries", async () => {
    for (let i = 0; i < 8; i += 1) {
      const body = envelopeBody({ timestamp: 1_900_000_000 + i });
      const response = await POST(webhookRequest(body, { signature: sign(body, "whsec_budget_test_secret_0001"), headers: { "x-rxwatch-peer-address": "198.51.100.5" } }));
      expect(response.status).toBe(200);
    }
    expect(await rowsFrom("198.51.100.5")).toHaveLength(8);
    expect(await tallyOf("198.51.100.5")).toEqual([]);
  });

  it("shows requests over budget as one incident on the failures page, with the sources and the budget", async () => {
    const dto = await scanFailures(new Date());
    const group = dto.groups.find((candidate) => candidate.kind === "rejected_over_budget");
    expect(group).toMatchObject({ key: "rejected_over_budget", state: "open", count: 21, isActive: true });
    expect(group?.evidence).toMatchObject({
      kind: "rejected_over_budget",
      droppedRequests: 21,
      sourceCount: 3,
      requestsPerMinute: 5,
      bytesPerMinute: 512 * 1024,
      sources: [
        { value: "198.51.100.7", count: 15 },
        { value: "198.51.100.2", count: 4 },
        { value: "198.51.100.4", count: 2 },
      ],
    });
    expect(group?.trend.reduce((sum, count) => sum + count, 0)).toBe(21);
    const description = group ? describeFailureGroup(group, (iso) => iso) : null;
    expect(description?.title).toBe("Rejected requests over budget");
    expect(description?.cause).toContain("21 requests without a valid signature");
  });

  it("shows a rejected delivery's body in the drawer as a sample of the whole, masked until revealed", async () => {
    const body = Buffer.from(`${envelopeBody()}${" ".repeat(10_000)}`);
    await POST(unsigned(body, "198.51.100.6"));
    const [row] = await rowsFrom("198.51.100.6");
    const id = row?.id ?? "";
    const read = async () => {
      const response = await getDelivery(new Request(`http://rxwatch.test/api/deliveries/${id}`, { headers: { authorization: `Bearer ${supportToken}` } }), { params: Promise.resolve({ id }) });
      expect(response.status).toBe(200);
      return deliveryDetailDtoSchema.parse(await response.json());
    };
    expect((await read()).body).toEqual({ kind: "sample", size: body.byteLength, sampleBytes: 4096, text: "‹unparsed›" });

    const reveal = new Request(`http://rxwatch.test/api/deliveries/${id}/reveal`, {
      method: "POST",
      headers: { authorization: `Bearer ${supportToken}`, "content-type": "application/json" },
      body: JSON.stringify({ reason: "checking which sender this probe came from" }),
    });
    expect((await postReveal(reveal, { params: Promise.resolve({ id }) })).status).toBe(201);
    expect((await read()).body).toEqual({ kind: "sample", size: body.byteLength, sampleBytes: 4096, text: body.subarray(0, 4096).toString("utf8") });
  });
});
