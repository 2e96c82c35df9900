import "server-only";
import { db, type Prisma } from "@/server/core/db";

/* The audit log's table. Rows are only ever inserted (by server/audit/record-audit.ts) and removed by the retention purge past their period. */

/** Appends one row; the only insert into `audit_entry`. */
export async function insertAuditEntry(data: Prisma.AuditEntryUncheckedCreateInput): Promise<void> {
  await (await db()).auditEntry.create({ data });
}

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
  if (filter.actor) and.push({ OR: [{ actorLabel: { startsWith: filter.actor } }, { actorId: filter.actor }] });
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
