import "server-only";
import { z } from "zod";
import { openSecret, resealSecret, sealSecret, SecretBoxError } from "@/server/crypto/secret-box";
import { AppError } from "@/server/core/errors";
import { deleteSettingRow, findSettingRow, replaceSettingValue, upsertSettingRow } from "@/server/repositories/settings";

/*
 * The RxScale Management API key: sealed with AES-256-GCM (server/crypto) in
 * the settings table, bound to this row, never returned in full and never
 * logged. Only its last characters are shown, to tell keys apart.
 */

const API_KEY_SETTING = "rxscale.apiKey";
const HINT_LENGTH = 4;
const storedSchema = z.object({ ciphertext: z.string(), keyId: z.string(), hint: z.string(), savedAt: z.iso.datetime() });

export interface ApiKeyStatus {
  isSet: boolean;
  hint: string | null;
  savedAt: string | null;
  /** False when a key is stored but cannot be opened (RXWATCH_SECRET_KEY changed). */
  isReadable: boolean;
}

async function readStored() {
  const row = await findSettingRow(API_KEY_SETTING);
  if (!row) return null;
  const parsed = storedSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : null;
}

export async function saveApiKey(apiKey: string, updatedById: string | null): Promise<ApiKeyStatus> {
  const trimmed = apiKey.trim();
  if (trimmed.length < 8 || trimmed.length > 512) throw new AppError("invalid_request", "That does not look like an RxScale API key (8–512 characters).");
  const sealed = sealSecret(trimmed, API_KEY_SETTING);
  const stored = { ...sealed, hint: `…${trimmed.slice(-HINT_LENGTH)}`, savedAt: new Date().toISOString() };
  await upsertSettingRow(API_KEY_SETTING, JSON.stringify(stored), updatedById);
  return { isSet: true, hint: stored.hint, savedAt: stored.savedAt, isReadable: true };
}

export async function clearApiKey(): Promise<void> {
  await deleteSettingRow(API_KEY_SETTING);
}

export async function apiKeyStatus(): Promise<ApiKeyStatus> {
  const stored = await readStored();
  if (!stored) return { isSet: false, hint: null, savedAt: null, isReadable: true };
  let isReadable = true;
  try {
    openSecret(stored, API_KEY_SETTING);
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    isReadable = false;
  }
  return { isSet: true, hint: stored.hint, savedAt: stored.savedAt, isReadable };
}

/** The key in plain text, for the API client only; null when none is stored. */
export async function readApiKey(): Promise<string | null> {
  const stored = await readStored();
  if (!stored) return null;
  try {
    return openSecret(stored, API_KEY_SETTING);
  } catch (error) {
    if (error instanceof SecretBoxError) throw new AppError("conflict", `The stored RxScale API key cannot be decrypted: ${error.message}`);
    throw error;
  }
}

/**
 * Re-seals the stored value with the current key when a previous key sealed
 * it, for `rxwatch keys rotate`. Idempotent; a value saved meanwhile is left
 * alone (it is on the current key already). Throws SecretBoxError when the
 * value cannot be opened.
 */
export async function resealApiKey(): Promise<"absent" | "current" | "resealed"> {
  const row = await findSettingRow(API_KEY_SETTING);
  const stored = row ? storedSchema.safeParse(JSON.parse(row.value)) : null;
  if (!row || !stored?.success) return "absent";
  const sealed = resealSecret(stored.data, API_KEY_SETTING);
  if (!sealed) return "current";
  return (await replaceSettingValue(API_KEY_SETTING, row.value, JSON.stringify({ ...stored.data, ...sealed }))) ? "resealed" : "current";
}

/** Id of the key the stored value is sealed with; null when none is stored. For `rxwatch keys status`. */
export async function apiKeySealingKeyId(): Promise<string | null> {
  return (await readStored())?.keyId ?? null;
}
