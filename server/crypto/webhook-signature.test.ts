import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signWebhookBody, toSignatureCandidate, verifyWebhookSignature } from "./webhook-signature";

// docs/rxscale.md#signature-test-vector, checked there with Python's hmac and openssl.
const VECTOR = {
  secret: "whsec_example_only_0001",
  body: '{"event_type":"pharmacy_order_updated","timestamp":1735725600,"payload_version":"1","data":{"uid":"po-demo-0001","status":"in-progress"}}',
  signature: "2bcdd33727718dddb10474447f797009af57f93c2c8800f14f3210dc6944dada",
};

const bytes = (text: string) => new TextEncoder().encode(text);
const candidates = [toSignatureCandidate("env:1", "whsec_other_secret"), toSignatureCandidate("env:2", VECTOR.secret)];

describe("webhook signature", () => {
  it("reproduces the documented test vector (137 bytes, UTF-8 key, lower-case hex)", () => {
    expect(bytes(VECTOR.body).byteLength).toBe(137);
    expect(signWebhookBody(VECTOR.body, VECTOR.secret)).toBe(VECTOR.signature);
  });

  it("verifies the vector and names the secret that matched", () => {
    expect(verifyWebhookSignature(bytes(VECTOR.body), VECTOR.signature, candidates)).toEqual({ kind: "match", secretId: "env:2" });
  });

  it("tolerates upper-case hex and surrounding whitespace", () => {
    expect(verifyWebhookSignature(bytes(VECTOR.body), ` ${VECTOR.signature.toUpperCase()} `, candidates)).toEqual({ kind: "match", secretId: "env:2" });
  });

  it("refuses a body changed by one byte", () => {
    expect(verifyWebhookSignature(bytes(VECTOR.body.replace("in-progress", "in_progress")), VECTOR.signature, candidates)).toEqual({ kind: "mismatch" });
  });

  it("refuses when no secret is configured at all", () => {
    expect(verifyWebhookSignature(bytes(VECTOR.body), VECTOR.signature, [])).toEqual({ kind: "mismatch" });
  });

  it("tells a missing header from a malformed one", () => {
    expect(verifyWebhookSignature(bytes(VECTOR.body), null, candidates)).toEqual({ kind: "missing" });
    for (const header of ["", VECTOR.signature.slice(0, 63), `${VECTOR.signature}0`, `sha256=${VECTOR.signature}`, "g".repeat(64), VECTOR.signature.slice(0, 62) + "é"]) {
      expect(verifyWebhookSignature(bytes(VECTOR.body), header, candidates)).toEqual({ kind: "malformed" });
    }
  });

  it("never throws, and matches exactly when the header is the body's signature, for random bodies and headers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.option(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-fA-F]{60,68}$/)), { nil: null }), (body, header) => {
        const result = verifyWebhookSignature(body, header, candidates);
        expect(["missing", "malformed", "mismatch", "match"]).toContain(result.kind);
        if (header === null) expect(result.kind).toBe("missing");
      }),
      { numRuns: 3_000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), (body, upper) => {
        const signature = signWebhookBody(body, VECTOR.secret);
        expect(verifyWebhookSignature(body, upper ? signature.toUpperCase() : signature, candidates)).toEqual({ kind: "match", secretId: "env:2" });
      }),
      { numRuns: 500 },
    );
  });
});
