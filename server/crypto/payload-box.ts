import "server-only";
import { createCipheriv, createDecipheriv } from "node:crypto";
import { pooledRandomBytes } from "@/server/core/random-pool";
import { keyRing } from "@/server/crypto/key-ring";

// Raw webhook bodies at rest: AES-256-GCM, stored as version | IV | ciphertext | tag
// (29 bytes more than the body); the key id lives beside it in delivery.body_key_id.
// The associated data binds the version and the delivery id.
// See docs/data-protection.md#algorithm-and-format

const FORMAT_VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;
/** Bytes a sealed body has beyond its plaintext. */
export const SEALED_PAYLOAD_OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES;
const AAD_LABEL = "rxwatch/payload-box/v1\0";

export interface SealedPayload {
  sealed: Buffer<ArrayBuffer>;
  keyId: string;
}

export type PayloadBoxFailure = "missing_key" | "unknown_format" | "authentication_failed";

/** Thrown when a sealed body cannot be opened. The message names the key id at most, never data. */
export class PayloadBoxError extends Error {
  override readonly name = "PayloadBoxError";
  constructor(
    readonly reason: PayloadBoxFailure,
    message: string,
  ) {
    super(message);
  }
}

function associatedData(context: string): Buffer {
  return Buffer.from(`${AAD_LABEL}${String.fromCharCode(FORMAT_VERSION)}${context}`, "utf8");
}

/** Seals `plaintext` with the current key, bound to `context` (the delivery id). */
export function sealPayload(plaintext: Uint8Array, context: string): SealedPayload {
  const { id, derive } = keyRing().current;
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", derive("payloadBox"), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(context));
  const sealed = Buffer.concat([Buffer.of(FORMAT_VERSION), iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { sealed, keyId: id };
}

/**
 * Opens a body sealed by {@link sealPayload} under `keyId` with the same
 * `context`, using whichever key of the ring has that id. Throws
 * {@link PayloadBoxError}: `missing_key` when no configured key has the id,
 * `unknown_format` or `authentication_failed` when the bytes are not what
 * was sealed for this context.
 */
export function openPayload(sealed: Uint8Array, keyId: string, context: string): Buffer {
  const ring = keyRing();
  const key = ring.find(keyId);
  if (!key) {
    throw new PayloadBoxError(
      "missing_key",
      `Sealed with key ${keyId}, which is neither RXWATCH_SECRET_KEY (now ${ring.current.id}) nor one of RXWATCH_PREVIOUS_SECRET_KEYS. ` +
        "Add the key that sealed it to RXWATCH_PREVIOUS_SECRET_KEYS (docs/data-protection.md).",
    );
  }
  if (sealed.byteLength < SEALED_PAYLOAD_OVERHEAD_BYTES || sealed[0] !== FORMAT_VERSION) {
    throw new PayloadBoxError("unknown_format", "The stored body is not a sealed body of a known format.");
  }
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.derive("payloadBox"), bytes.subarray(1, HEADER_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(context));
    decipher.setAuthTag(bytes.subarray(bytes.byteLength - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES, bytes.byteLength - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new PayloadBoxError("authentication_failed", "The stored body failed authentication: it was altered or belongs to another delivery.");
  }
}
