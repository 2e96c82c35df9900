import "server-only";
import { createHmac } from "node:crypto";
import { keyRing, type RingKey } from "@/server/crypto/key-ring";

/*
 * Keyed hashes for search keys that identify a patient. The database stores
 * HMAC-SHA256(uid) under a key derived from the key ring, so a copy of the
 * database alone does not reveal which patient an order belongs to, while an
 * exact search (and an erasure request) still finds every row by hashing the
 * uid it was given. During a key rotation rows may still carry the hash made
 * with a previous key, so lookups match the hash under every key of the ring.
 */

function searchKeyWith(key: RingKey, patientUid: string): string {
  return `pk1:${createHmac("sha256", key.derive("searchKey")).update(patientUid.trim(), "utf8").digest("base64url")}`;
}

/** The stored form of a patient uid, made with the current key: `pk1:` and a base64url HMAC. Exact-match only, by design. */
export function patientSearchKey(patientUid: string): string {
  return searchKeyWith(keyRing().current, patientUid);
}

/**
 * Every form a row may store this patient uid in while keys rotate: the
 * current key's first, then each previous key's. Query with `IN (…)`.
 */
export function patientSearchKeys(patientUid: string): string[] {
  return keyRing().keys.map((key) => searchKeyWith(key, patientUid));
}
