import "server-only";
import { SecretBoxError } from "@/server/crypto/secret-box";
import { sealedSetting, type ResealOutcome } from "@/server/settings/sealed-setting";

/** The SMTP password for alert email, in its own sealed settings row. */
const smtpPassword = sealedSetting("alerts.smtpPassword", {});

export interface SmtpPasswordStatus {
  isSet: boolean;
  savedAt: string | null;
  /** False when a password is stored but cannot be opened (RXWATCH_SECRET_KEY changed). */
  isReadable: boolean;
}

export async function saveSmtpPassword(password: string, updatedById: string | null): Promise<void> {
  await smtpPassword.save(password, {}, updatedById);
}

export async function clearSmtpPassword(): Promise<void> {
  await smtpPassword.clear();
}

export async function smtpPasswordStatus(): Promise<SmtpPasswordStatus> {
  const stored = await smtpPassword.readStored();
  if (!stored) return { isSet: false, savedAt: null, isReadable: true };
  return { isSet: true, savedAt: stored.savedAt, isReadable: smtpPassword.isReadable(stored) };
}

/** The password in plain text, for the mail transport only; null when none is stored or it cannot be opened. */
export async function readSmtpPassword(): Promise<string | null> {
  const stored = await smtpPassword.readStored();
  if (!stored) return null;
  try {
    return smtpPassword.open(stored);
  } catch (error) {
    if (error instanceof SecretBoxError) return null;
    throw error;
  }
}

export function resealSmtpPassword(): Promise<ResealOutcome> {
  return smtpPassword.reseal();
}

export function smtpPasswordSealingKeyId(): Promise<string | null> {
  return smtpPassword.sealingKeyId();
}
