import "server-only";
import type { Prisma } from "@/prisma/generated/sqlite/client";
import { db } from "@/server/core/db";

/* Reads of the audit log. Writes live in server/audit.ts alone (append-only). */

export interface AuditLogFilter {
  action?: string;
  actor?: string;
  outcome?: string;
  atFrom?: Date;
  /** Exclusive. */
  atBefore?: Date;
}

/** Position of a row in the newest-first order: (at, id) descending. */
export interface AuditKeyset {
  at: Date;
  id: string;
}

function whereOf(filter: AuditLogFilter, after: AuditKeyset | null): Prisma.AuditEntryWhereInput {
  const and: Prisma.AuditEntryWhereInput[] = [];
  if (filter.action) and.push({ action: filter.action });
  if (filter.outcome) and.push({ outcome: filter.outcome });
  if (filter.actor) and.push({ OR: [{ actorLabel: filter.actor }, { actorId: filter.actor }] });
  if (filter.atFrom) and.push({ at: { gte: filter.atFrom } });
  if (filter.atBefore) and.push({ at: { lt: filter.atBefore } });
  if (after) and.push({ OR: [{ at: { lt: after.at } }, { at: after.at, id: { lt: after.id } }] });
  return { AND: and };
}

/** Up to `take` entries, newest first, after `after` (exclusive). */
export async function findAuditEntries(filter: AuditLogFilter, after: AuditKeyset | null, take: number) {
  return (await db()).auditEntry.findMany({ where: whereOf(filter, after), orderBy: [{ at: "desc" }, { id: "desc" }], take });
}

export type AuditEntryRow = Awaited<ReturnType<typeof findAuditEntries>>[number];
