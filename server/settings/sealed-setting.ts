import "server-only";
import { z } from "zod";
import { openSecret, resealSecret, sealSecret, SecretBoxError } from "@/server/crypto/secret-box";
import { deleteSettingRow, findSettingRow, replaceSettingValue, upsertSettingRow } from "@/server/repositories/settings";

/*
 * A secret kept in its own settings row, sealed with AES-256-GCM
 * (server/crypto/secret-box.ts) and bound to that row's name, never returned
 * and never logged. The API key and the SMTP password are two of these.
 */

const sealedShape = { ciphertext: z.string(), keyId: z.string(), savedAt: z.iso.datetime() };

export type ResealOutcome = "absent" | "current" | "resealed";

export interface SealedSetting<Extra extends z.ZodRawShape> {
  /** The stored record (sealed value, key id, save time and `Extra`), or null when none is stored or it is unreadable as a record. */
  readStored(): Promise<z.infer<z.ZodObject<typeof sealedShape & Extra>> | null>;
  save(plain: string, extra: z.infer<z.ZodObject<Extra>>, updatedById: string | null): Promise<z.infer<z.ZodObject<typeof sealedShape & Extra>>>;
  clear(): Promise<void>;
  /** The plain value of a stored record; throws SecretBoxError when the current key ring cannot open it. */
  open(stored: { ciphertext: string; keyId: string }): string;
  /** Whether the key ring can open a stored record (false after RXWATCH_SECRET_KEY changed). */
  isReadable(stored: { ciphertext: string; keyId: string }): boolean;
  /**
   * Re-seals with the current key when a previous key sealed it, for `rxwatch
   * keys rotate`. Idempotent; a value saved meanwhile is left alone (it is on
   * the current key already). Throws SecretBoxError when it cannot be opened.
   */
  reseal(): Promise<ResealOutcome>;
  /** Id of the key the stored value is sealed with; null when none is stored. For `rxwatch keys status`. */
  sealingKeyId(): Promise<string | null>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function sealedSetting<Extra extends z.ZodRawShape>(name: string, extraShape: Extra): SealedSetting<Extra> {
  const sealedSchema = z.object(sealedShape);
  const storedSchema = z.object({ ...sealedShape, ...extraShape });
  const readRow = async () => {
    const row = await findSettingRow(name);
    if (!row) return null;
    const json = parseJson(row.value);
    const sealed = sealedSchema.safeParse(json);
    const stored = storedSchema.safeParse(json);
    return sealed.success && stored.success ? { row, sealed: sealed.data, stored: stored.data } : null;
  };
  const open = (stored: { ciphertext: string; keyId: string }) => openSecret(stored, name);
  return {
    readStored: async () => (await readRow())?.stored ?? null,
    async save(plain, extra, updatedById) {
      const stored = storedSchema.parse({ ...extra, ...sealSecret(plain, name), savedAt: new Date().toISOString() });
      await upsertSettingRow(name, JSON.stringify(stored), updatedById);
      return stored;
    },
    clear: () => deleteSettingRow(name),
    open,
    isReadable(stored) {
      try {
        open(stored);
        return true;
      } catch (error) {
        if (error instanceof SecretBoxError) return false;
        throw error;
      }
    },
    async reseal() {
      const found = await readRow();
      if (!found) return "absent";
      const resealed = resealSecret(found.sealed, name);
      if (!resealed) return "current";
      return (await replaceSettingValue(name, found.row.value, JSON.stringify({ ...found.stored, ...resealed }))) ? "resealed" : "current";
    },
    sealingKeyId: async () => (await readRow())?.sealed.keyId ?? null,
  };
}
