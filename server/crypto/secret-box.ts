import "server-only";
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { secretKey } from "@/server/secret-key";

/*
 * Encryption at rest for small secrets (webhook signing secrets): AES-256-GCM
 * with a key derived by HKDF-SHA256 from the instance's RXWATCH_SECRET_KEY.
 * Each sealed value names the key that sealed it (`keyId`, a fingerprint of the
 * derived key, not the key), so a changed RXWATCH_SECRET_KEY is reported as
 * such instead of as corrupt data. The caller's `context` (e.g. the row id) is
 * bound in as associated data: a ciphertext copied onto another row fails to open.
 */

const HKDF_SALT = "rxwatch";
const HKDF_INFO = "rxwatch/secret-box/aes-256-gcm/v1";
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

interface DerivedKey {
  id: string;
  key: Buffer;
}

let cached: { source: string; derived: DerivedKey } | undefined;

function currentKey(): DerivedKey {
  const source = secretKey();
  if (cached?.source !== source) {
    const key = Buffer.from(hkdfSync("sha256", Buffer.from(source, "utf8"), HKDF_SALT, HKDF_INFO, 32));
    const id = `hkdf-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
    cached = { source, derived: { id, key } };
  }
  return cached.derived;
}

/** Id of the key new values are sealed with. */
export function currentSecretBoxKeyId(): string {
  return currentKey().id;
}

export function sealSecret(plaintext: string, context: string): SealedSecret {
  const { id, key } = currentKey();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const ciphertext = [FORMAT_VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  return { ciphertext, keyId: id };
}

/** Opens a value sealed by {@link sealSecret} with the same `context`; throws {@link SecretBoxError} otherwise. */
export function openSecret(sealed: SealedSecret, context: string): string {
  const { id, key } = currentKey();
  if (sealed.keyId !== id) {
    throw new SecretBoxError(`Sealed with key ${sealed.keyId}, but RXWATCH_SECRET_KEY now gives ${id}: the secret key was changed. Restore it or add the secret again.`);
  }
  const [version, iv, tag, body, ...rest] = sealed.ciphertext.split(".");
  if (version !== FORMAT_VERSION || iv === undefined || tag === undefined || body === undefined || rest.length > 0) {
    throw new SecretBoxError("Not a sealed value of a known format.");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("The sealed value failed authentication: it was altered or belongs to another record.");
  }
}
