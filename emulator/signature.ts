import { createHmac } from "node:crypto";

/**
 * The X-Webhook-Signature RxScale sends (docs/rxscale.md#signature): lowercase hex
 * HMAC-SHA256 of the exact body bytes, keyed by the UTF-8 bytes of the whole
 * signing secret (the `whsec_` prefix included, nothing decoded).
 */
export function signWebhookBody(body: Uint8Array | string, signingSecret: string): string {
  return createHmac("sha256", Buffer.from(signingSecret, "utf8")).update(body).digest("hex");
}
