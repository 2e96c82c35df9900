import "server-only";
import { db } from "@/server/core/db";

export interface NewApiTokenRow {
  id: string;
  name: string;
  tokenHash: string;
  tokenPrefix: string;
  role: string;
  createdById: string | null;
  expiresAt: Date | null;
}

export async function insertApiToken(row: NewApiTokenRow) {
  return (await db()).apiToken.create({ data: row, include: { createdBy: { select: { email: true } } } });
}

export async function findApiTokenByHash(tokenHash: string) {
  return (await db()).apiToken.findUnique({ where: { tokenHash } });
}

export async function listApiTokenRows() {
  return (await db()).apiToken.findMany({
    orderBy: { createdAt: "desc" },
    include: { createdBy: { select: { email: true } } },
  });
}

export async function markApiTokenUsed(id: string, at: Date) {
  await (await db()).apiToken.update({ where: { id }, data: { lastUsedAt: at } });
}

/** Returns false when no active token had that id. */
export async function revokeApiTokenRow(id: string, at: Date): Promise<boolean> {
  const { count } = await (await db()).apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
  return count > 0;
}
