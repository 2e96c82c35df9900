import "server-only";
import { createHmac, hkdfSync } from "node:crypto";
import { secretKey } from "@/server/secret-key";

/*
 * Keyed hashes for search keys that identify a patient. The database stores
 * HMAC-SHA256(uid) under a key derived from RXWATCH_SECRET_KEY, so a copy of
 * the database alone does not reveal which patient an order belongs to, while
 * an exact search (and an erasure request) still finds every row by hashing
 * the uid it was given.
 */

const HKDF_SALT = "rxwatch";
const HKDF_INFO = "rxwatch/search-key/hmac-sha256/v1";

let cached: { source: string; key: Buffer } | undefined;

function hashKey(): Buffer {
  const source = secretKey();
  if (cached?.source !== source) cached = { source, key: Buffer.from(hkdfSync("sha256", Buffer.from(source, "utf8"), HKDF_SALT, HKDF_INFO, 32)) };
  return cached.key;
}

/** The stored form of a patient uid: `pk1:` and a base64url HMAC. Exact-match only, by design. */
export function patientSearchKey(patientUid: string): string {
  return `pk1:${createHmac("sha256", hashKey()).update(patientUid.trim(), "utf8").digest("base64url")}`;
}
