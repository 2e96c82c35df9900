import "server-only";
import { db } from "@/server/core/db";

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

/** Stored secrets sealed with any key but `keyId` (retired ones too: they stay readable for the record). */
export async function listSigningSecretRowsNotOnKey(keyId: string) {
  return (await db()).signingSecret.findMany({ where: { keyId: { not: keyId } }, select: { id: true, ciphertext: true, keyId: true }, orderBy: { id: "asc" } });
}

/** Replaces a secret's ciphertext only if it is still the one read (`expected`); false when it changed meanwhile. */
export async function replaceSigningSecretCiphertext(id: string, expected: { ciphertext: string; keyId: string }, sealed: { ciphertext: string; keyId: string }): Promise<boolean> {
  const { count } = await (await db()).signingSecret.updateMany({ where: { id, ciphertext: expected.ciphertext, keyId: expected.keyId }, data: sealed });
  return count === 1;
}

/** Stored secrets per key id. */
export async function countSigningSecretsByKey(): Promise<{ keyId: string; count: number }[]> {
  const groups = await (await db()).signingSecret.groupBy({ by: ["keyId"], _count: { _all: true } });
  return groups.map((group) => ({ keyId: group.keyId, count: group._count._all }));
}
