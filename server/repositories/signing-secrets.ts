import "server-only";
import { db } from "@/server/db";

export interface NewSigningSecretRow {
  id: string;
  label: string;
  ciphertext: string;
  keyId: string;
  hint: string;
  subscriptionUid: string | null;
}

export async function insertSigningSecretRow(row: NewSigningSecretRow) {
  return (await db()).signingSecret.create({ data: row });
}

/** Every stored secret, newest first, retired ones included. */
export async function listSigningSecretRows() {
  return (await db()).signingSecret.findMany({ orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
}

/** Secrets that may verify a delivery: not retired. */
export async function listActiveSigningSecretRows() {
  return (await db()).signingSecret.findMany({
    where: { retiredAt: null },
    select: { id: true, ciphertext: true, keyId: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/** Returns null when no active secret had that id. */
export async function retireSigningSecretRow(id: string, at: Date) {
  const { count } = await (await db()).signingSecret.updateMany({ where: { id, retiredAt: null }, data: { retiredAt: at } });
  return count > 0 ? (await db()).signingSecret.findUnique({ where: { id } }) : null;
}

/** Moves `lastMatchedAt` forward only, so a late write never hides a newer match. */
export async function markSigningSecretMatched(id: string, at: Date): Promise<void> {
  await (await db()).signingSecret.updateMany({ where: { id, OR: [{ lastMatchedAt: null }, { lastMatchedAt: { lt: at } }] }, data: { lastMatchedAt: at } });
}
