import "server-only";
import { z } from "zod";
import { SecretBoxError } from "@/server/crypto/secret-box";
import { AppError } from "@/server/core/errors";
import { sealedSetting, type ResealOutcome } from "@/server/settings/sealed-setting";

/**
 * The RxScale Management API key, in its own sealed settings row. Only its
 * last characters (`hint`) are ever shown, to tell keys apart.
 */
const apiKey = sealedSetting("rxscale.apiKey", { hint: z.string() });
const HINT_LENGTH = 4;

export interface ApiKeyStatus {
  isSet: boolean;
  hint: string | null;
  savedAt: string | null;
  /** False when a key is stored but cannot be opened (RXWATCH_SECRET_KEY changed). */
  isReadable: boolean;
}

export async function saveApiKey(value: string, updatedById: string | null): Promise<ApiKeyStatus> {
  const trimmed = value.trim();
  if (trimmed.length < 8 || trimmed.length > 512) throw new AppError("invalid_request", "That does not look like an RxScale API key (8–512 characters).");
  const stored = await apiKey.save(trimmed, { hint: `…${trimmed.slice(-HINT_LENGTH)}` }, updatedById);
  return { isSet: true, hint: stored.hint, savedAt: stored.savedAt, isReadable: true };
}

export async function clearApiKey(): Promise<void> {
  await apiKey.clear();
}

export async function apiKeyStatus(): Promise<ApiKeyStatus> {
  const stored = await apiKey.readStored();
  if (!stored) return { isSet: false, hint: null, savedAt: null, isReadable: true };
  return { isSet: true, hint: stored.hint, savedAt: stored.savedAt, isReadable: apiKey.isReadable(stored) };
}

/** The key in plain text, for the API client only; null when none is stored. */
export async function readApiKey(): Promise<string | null> {
  const stored = await apiKey.readStored();
  if (!stored) return null;
  try {
    return apiKey.open(stored);
  } catch (error) {
    if (error instanceof SecretBoxError) throw new AppError("conflict", `The stored RxScale API key cannot be decrypted: ${error.message}`);
    throw error;
  }
}

export function resealApiKey(): Promise<ResealOutcome> {
  return apiKey.reseal();
}

export function apiKeySealingKeyId(): Promise<string | null> {
  return apiKey.sealingKeyId();
}
