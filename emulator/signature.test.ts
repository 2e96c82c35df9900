import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhookBody } from "./signature";

// docs/rxscale.md#signature-test-vector (computed with Python hmac and openssl).
const SECRET = "whsec_example_only_0001";
const BODY = '{"event_type":"pharmacy_order_updated","timestamp":1735725600,"payload_version":"1","data":{"uid":"po-demo-0001","status":"in-progress"}}';
const EXPECTED = "2bcdd33727718dddb10474447f797009af57f93c2c8800f14f3210dc6944dada";

describe("signWebhookBody", () => {
  it("matches the documented test vector over the exact 137 body bytes", () => {
    expect(Buffer.byteLength(BODY)).toBe(137);
    expect(signWebhookBody(BODY, SECRET)).toBe(EXPECTED);
    expect(signWebhookBody(Buffer.from(BODY, "utf8"), SECRET)).toBe(EXPECTED);
  });

  it("writes 64 lowercase hex characters with no prefix", () => {
    expect(signWebhookBody(BODY, SECRET)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("signs bytes, not meaning: re-serialised JSON with other whitespace gets another signature", () => {
    const reformatted = JSON.stringify(JSON.parse(BODY), null, 1);
    expect(signWebhookBody(reformatted, SECRET)).not.toBe(EXPECTED);
  });

  it("keys with the whole secret, prefix included, as UTF-8 bytes", () => {
    const withoutPrefix = createHmac("sha256", "example_only_0001").update(BODY).digest("hex");
    expect(withoutPrefix).not.toBe(EXPECTED);
    expect(signWebhookBody("ä", "whsec_ü")).toBe(createHmac("sha256", Buffer.from("whsec_ü", "utf8")).update(Buffer.from("ä", "utf8")).digest("hex"));
  });
});
