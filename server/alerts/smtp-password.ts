import "server-only";
import { z } from "zod";
import { openSecret, resealSecret, sealSecret, SecretBoxError } from "@/server/crypto/secret-box";
import { deleteSettingRow, findSettingRow, replaceSettingValue, upsertSettingRow } from "@/server/repositories/settings";

/*
 * The SMTP password for alert email: sealed with AES-256-GCM (server/crypto)
 * in its own settings row, bound to that row, never returned and never logged.
 */

const SMTP_PASSWORD_SETTING = "alerts.smtpPassword";
const storedSchema = z.object({ ciphertext: z.string(), keyId: z.string(), savedAt: z.iso.datetime() });

export interface SmtpPasswordStatus {
  isSet: boolean;
  savedAt: string | null;
  /** False when a password is stored but cannot be opened (RXWATCH_SECRET_KEY changed). */
  isReadable: boolean;
}

async function readStored() {
  const row = await findSettingRow(SMTP_PASSWORD_SETTING);
  if (!row) return null;
  try {
    const parsed = storedSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function saveSmtpPassword(password: string, updatedById: string | null): Promise<void> {
  const sealed = sealSecret(password, SMTP_PASSWORD_SETTING);
  await upsertSettingRow(SMTP_PASSWORD_SETTING, JSON.stringify({ ...sealed, savedAt: new Date().toISOString() }), updatedById);
}

export async function clearSmtpPassword(): Promise<void> {
  await deleteSettingRow(SMTP_PASSWORD_SETTING);
}

export async function smtpPasswordStatus(): Promise<SmtpPasswordStatus> {
  const stored = await readStored();
  if (!stored) return { isSet: false, savedAt: null, isReadable: true };
  try {
    openSecret(stored, SMTP_PASSWORD_SETTING);
    return { isSet: true, savedAt: stored.savedAt, isReadable: true };
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    return { isSet: true, savedAt: stored.savedAt, isReadable: false };
  }
}

/** The password in plain text, for the mail transport only; null when none is stored or it cannot be opened. */
export async function readSmtpPassword(): Promise<string | null> {
  const stored = await readStored();
  if (!stored) return null;
  try {
    return openSecret(stored, SMTP_PASSWORD_SETTING);
  } catch (error) {
    if (error instanceof SecretBoxError) return null;
    throw error;
  }
}

/**
 * Re-seals the stored value with the current key when a previous key sealed
 * it, for `rxwatch keys rotate`. Idempotent; a value saved meanwhile is left
 * alone (it is on the current key already). Throws SecretBoxError when the
 * value cannot be opened.
 */
export async function resealSmtpPassword(): Promise<"absent" | "current" | "resealed"> {
  const row = await findSettingRow(SMTP_PASSWORD_SETTING);
  const stored = row ? storedSchema.safeParse(JSON.parse(row.value)) : null;
  if (!row || !stored?.success) return "absent";
  const sealed = resealSecret(stored.data, SMTP_PASSWORD_SETTING);
  if (!sealed) return "current";
  return (await replaceSettingValue(SMTP_PASSWORD_SETTING, row.value, JSON.stringify({ ...stored.data, ...sealed }))) ? "resealed" : "current";
}

/** Id of the key the stored value is sealed with; null when none is stored. For `rxwatch keys status`. */
export async function smtpPasswordSealingKeyId(): Promise<string | null> {
  return (await readStored())?.keyId ?? null;
}
