import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { keyRing } from "@/server/crypto/key-ring";

// Small secrets at rest (signing secrets, API key, SMTP password): AES-256-GCM under the
// key ring. Each value names its key id, so it opens with any key in the ring, and
// `context` is associated data, so a copy on another row fails to open.
// See docs/data-protection.md#algorithm-and-format

const FORMAT_VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedSecret {
  ciphertext: string;
  keyId: string;
}

/** Thrown when a sealed value cannot be opened; the message never contains the value. */
export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
}

/** Id of the key new values are sealed with. */
export function currentSecretBoxKeyId(): string {
  return keyRing().current.id;
}

export function sealSecret(plaintext: string, context: string): SealedSecret {
  const { id, derive } = keyRing().current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", derive("secretBox"), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const ciphertext = [FORMAT_VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  return { ciphertext, keyId: id };
}

/**
 * Opens a value sealed by {@link sealSecret} with the same `context`, with
 * whichever key of the ring sealed it; throws {@link SecretBoxError} otherwise.
 */
export function openSecret(sealed: SealedSecret, context: string): string {
  const ring = keyRing();
  const key = ring.find(sealed.keyId);
  if (!key) {
    throw new SecretBoxError(
      `Sealed with key ${sealed.keyId}, which is neither RXWATCH_SECRET_KEY (now ${ring.current.id}) nor one of RXWATCH_PREVIOUS_SECRET_KEYS: ` +
        "the secret key was changed. Add the old key to RXWATCH_PREVIOUS_SECRET_KEYS, or add the secret again.",
    );
  }
  const [version, iv, tag, body, ...rest] = sealed.ciphertext.split(".");
  if (version !== FORMAT_VERSION || iv === undefined || tag === undefined || body === undefined || rest.length > 0) {
    throw new SecretBoxError("Not a sealed value of a known format.");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.derive("secretBox"), Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("The sealed value failed authentication: it was altered or belongs to another record.");
  }
}

/**
 * The same secret sealed with the current key, or null when it already is.
 * For `rxwatch keys rotate`; throws {@link SecretBoxError} like {@link openSecret}.
 */
export function resealSecret(sealed: SealedSecret, context: string): SealedSecret | null {
  if (sealed.keyId === currentSecretBoxKeyId()) return null;
  return sealSecret(openSecret(sealed, context), context);
}
