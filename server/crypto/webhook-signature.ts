import "server-only";
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";

/*
 * RxScale's signature (docs/rxscale.md#signature): X-Webhook-Signature is the hex HMAC-SHA256
 * of the raw request body, keyed by the UTF-8 bytes of the whole signing secret
 * (prefix included, nothing decoded). No timestamp or URL is signed. The bytes
 * must be verified exactly as received — never a re-serialisation of parsed JSON.
 */

/** A secret the signature may have been made with. `id` is recorded on the delivery; the key never leaves this process. */
export interface SignatureCandidate {
  id: string;
  key: KeyObject;
}

export type SignatureCheck =
  | { kind: "match"; secretId: string }
  | { kind: "missing" }
  | { kind: "malformed" }
  | { kind: "mismatch" };

/** 32 bytes of SHA-256 as hex. Upper case is tolerated (docs/rxscale.md#what-rxscales-docs-leave-open); prefixes such as `sha256=` are not. */
const SIGNATURE_PATTERN = /^[0-9a-fA-F]{64}$/;

export function toSignatureCandidate(id: string, secret: string): SignatureCandidate {
  return { id, key: createSecretKey(Buffer.from(secret, "utf8")) };
}

/** The lower-case hex signature RxScale would send for `body` signed with `secret`. */
export function signWebhookBody(body: Uint8Array | string, secret: string): string {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest("hex");
}

/**
 * Checks `header` against every candidate. Never throws: a header that is not
 * 64 hex characters (empty, truncated, prefixed, non-hex) is `malformed`
 * before any comparison, so `timingSafeEqual` only ever sees two 32-byte
 * buffers. Every candidate is compared even after a match, so the time taken
 * does not depend on which secret (if any) matched.
 */
export function verifyWebhookSignature(body: Uint8Array, header: string | null, candidates: readonly SignatureCandidate[]): SignatureCheck {
  if (header === null) return { kind: "missing" };
  const value = header.trim();
  if (!SIGNATURE_PATTERN.test(value)) return { kind: "malformed" };
  const expected = Buffer.from(value, "hex");
  let secretId: string | null = null;
  for (const candidate of candidates) {
    const digest = createHmac("sha256", candidate.key).update(body).digest();
    if (timingSafeEqual(digest, expected) && secretId === null) secretId = candidate.id;
  }
  return secretId === null ? { kind: "mismatch" } : { kind: "match", secretId };
}
