import "server-only";
import { createHash, hkdfSync } from "node:crypto";
import { previousSecretKeys, secretKey } from "@/server/core/secret-key";

// RXWATCH_SECRET_KEY seals and hashes everything new; previous keys still open what
// they sealed while `rxwatch keys rotate` moves rows. Each purpose gets its own
// HKDF-derived key, derived once per configured key and cached.
// See docs/data-protection.md#keys-and-key-ids

const HKDF_SALT = "rxwatch";

/** HKDF info per purpose. Changing one makes everything sealed under it unreadable: add a new purpose instead. */
export const KEY_PURPOSES = {
  secretBox: "rxwatch/secret-box/aes-256-gcm/v1",
  payloadBox: "rxwatch/payload-box/aes-256-gcm/v1",
  searchKey: "rxwatch/search-key/hmac-sha256/v1",
} as const;
export type KeyPurpose = keyof typeof KEY_PURPOSES;

/** One configured key. `id` is a fingerprint (never the key) stored with what it sealed. */
export interface RingKey {
  id: string;
  isCurrent: boolean;
  /** The 32-byte key for one purpose. */
  derive(purpose: KeyPurpose): Buffer;
}

export interface KeyRing {
  current: RingKey;
  /** Current first, then the previous keys in configured order, without duplicates. */
  keys: readonly RingKey[];
  find(id: string): RingKey | undefined;
}

/** A row names a key id that no configured key has. The message names the key id only, never data. */
export class MissingKeyError extends Error {
  override readonly name = "MissingKeyError";
  constructor(readonly keyId: string) {
    super(
      `No configured key has id ${keyId}: it is neither RXWATCH_SECRET_KEY nor one of RXWATCH_PREVIOUS_SECRET_KEYS. ` +
        "Add the key that sealed this data to RXWATCH_PREVIOUS_SECRET_KEYS (docs/data-protection.md).",
    );
  }
}

function hkdf(source: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(source, "utf8"), HKDF_SALT, KEY_PURPOSES[purpose], 32));
}

/**
 * The id of a configured key: the fingerprint the secret box has always
 * recorded (`hkdf-` and 16 hex digits of SHA-256 over its derived key), so
 * secrets sealed before the key ring existed keep their id.
 */
function keyIdOf(source: string): string {
  return `hkdf-${createHash("sha256").update(hkdf(source, "secretBox")).digest("hex").slice(0, 16)}`;
}

function ringKey(source: string, isCurrent: boolean): RingKey {
  const derived = new Map<KeyPurpose, Buffer>();
  return {
    id: keyIdOf(source),
    isCurrent,
    derive(purpose) {
      let key = derived.get(purpose);
      if (key === undefined) {
        key = hkdf(source, purpose);
        derived.set(purpose, key);
      }
      return key;
    },
  };
}

let cached: { current: string; previous: string; ring: KeyRing } | undefined;

/** The configured keys. Cheap after the first call: rebuilt only when the configuration differs (tests change it). */
export function keyRing(): KeyRing {
  const current = secretKey();
  const previousSources = previousSecretKeys();
  // The list comes from a comma-separated variable, so no entry contains a comma.
  const previous = previousSources.join(",");
  if (cached && cached.current === current && cached.previous === previous) return cached.ring;
  const currentKey = ringKey(current, true);
  const keys: RingKey[] = [currentKey];
  for (const source of previousSources) {
    const key = ringKey(source, false);
    if (!keys.some((known) => known.id === key.id)) keys.push(key);
  }
  const byId = new Map(keys.map((key) => [key.id, key]));
  const ring: KeyRing = { current: currentKey, keys, find: (id) => byId.get(id) };
  cached = { current, previous, ring };
  return ring;
}

/** The key with this id; throws {@link MissingKeyError} when none is configured. */
export function requireKey(id: string): RingKey {
  const key = keyRing().find(id);
  if (!key) throw new MissingKeyError(id);
  return key;
}
