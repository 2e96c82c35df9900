import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/rxscale/route";
import { createDb } from "@/server/core/db";
import { envelope, readWebhookResponse, sign, WEBHOOK_URL } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * Random bodies and headers through the real handler: whatever arrives, the
 * answer is one of the documented statuses (never a 5xx, never a throw), a
 * 200 only for a correctly signed envelope, and every request leaves exactly
 * one Delivery row.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_property_test_0001";
  process.env.RXWATCH_WEBHOOK_MAX_BODY_BYTES = "4096";
  // Every request here must leave its row; what the rejected-request budget drops is tested in rejected-budget.test.ts.
  process.env.RXWATCH_REJECTED_REQUESTS_PER_MINUTE = "100000";
  process.env.RXWATCH_REJECTED_BYTES_PER_MINUTE = String(1024 * 1024 * 1024);
  return "whsec_property_test_0001";
});

const client = createDb(process.env.DATABASE_URL ?? "");

afterAll(async () => {
  await client.$disconnect();
});

const encode = (text: string) => new TextEncoder().encode(text);

const body = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }).map((bytes) => new Uint8Array(bytes)) },
  { weight: 1, arbitrary: fc.integer({ min: 4097, max: 9000 }).map((size) => new Uint8Array(size).fill(0x20)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300 }).map(encode) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => encode(JSON.stringify(value) ?? "null")) },
  {
    weight: 4,
    arbitrary: fc
      .record({ event_type: fc.oneof(fc.string({ minLength: 1 }), fc.jsonValue()), timestamp: fc.oneof(fc.nat(), fc.jsonValue()), data: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })) }, { requiredKeys: [] })
      .map((overrides) => encode(JSON.stringify(envelope(overrides)))),
  },
);

type SignatureChoice = "valid" | "upper" | string | null;
const signature: fc.Arbitrary<SignatureChoice> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<SignatureChoice>("valid", "upper") },
  { weight: 1, arbitrary: fc.option(fc.string({ maxLength: 80 }), { nil: null }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{64}$/) },
);

const headers = fc.oneof(
  { weight: 4, arbitrary: fc.record({ "content-type": fc.constantFrom("application/json", "application/json; charset=utf-8"), "x-webhook-event": fc.string({ maxLength: 40 }) }, { requiredKeys: ["content-type"] }) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        "content-type": fc.constantFrom("application/json", "text/plain", "", "application/json; charset=latin1"),
        "content-encoding": fc.constantFrom("gzip", "identity", "br", ""),
        "user-agent": fc.string({ maxLength: 40 }),
      },
      { requiredKeys: [] },
    ),
  },
);

// A correctly signed body within the size cap is never refused: it is accepted or quarantined (200).
const DOCUMENTED_STATUSES = [200, 401, 413];

describe(`webhook endpoint under random input on ${testProvider()}`, () => {
  it("answers every request with a documented status and records it", async () => {
    const seen = new Set<number>();
    const acknowledged = new Set<unknown>();
    await fc.assert(
      fc.asyncProperty(body, signature, headers, async (bytes, signatureChoice, extraHeaders) => {
        const request = new Headers();
        for (const [name, value] of Object.entries(extraHeaders)) {
          if (/^[\t\x20-\x7e]*$/.test(value)) request.set(name, value);
        }
        const signed = sign(bytes, SECRET);
        const value = signatureChoice === "valid" ? signed : signatureChoice === "upper" ? signed.toUpperCase() : signatureChoice;
        if (value !== null && /^[\t\x20-\x7e]*$/.test(value)) request.set("x-webhook-signature", value);

        const before = await client.delivery.count();
        const result = await readWebhookResponse(await POST(new Request(WEBHOOK_URL, { method: "POST", headers: request, body: bytes })));
        expect(DOCUMENTED_STATUSES).toContain(result.status);
        seen.add(result.status);
        if (result.status === 200) expect(request.get("x-webhook-signature")?.toLowerCase()).toBe(signed);
        else expect(result.errorCode).toEqual(expect.any(String));
        if (request.get("x-webhook-signature")?.toLowerCase() === signed && result.status !== 413) expect(result.status).toBe(200);
        if (result.status === 200) acknowledged.add(result.json.status);
        expect(await client.delivery.count()).toBe(before + 1);
      }),
      { numRuns: 200 },
    );
    // The generators must reach every branch, or the property proves little.
    expect([...seen].sort()).toEqual(DOCUMENTED_STATUSES);
    expect(acknowledged).toContain("quarantined");
  });
});
