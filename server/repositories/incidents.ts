import "server-only";
import { db } from "@/server/core/db";
import type { Prisma } from "@/server/core/db";

/*
 * Incident state of failure groups. Every change is a compare-and-set on the
 * state it expects, so two instances scanning at once, or a person resolving
 * while a scan reopens, never overwrite each other's transition.
 */

export type IncidentRow = NonNullable<Awaited<ReturnType<typeof findIncident>>>;
export type IncidentWrite = Omit<Prisma.IncidentUncheckedCreateInput, "updatedAt">;
export type IncidentChange = Omit<Prisma.IncidentUncheckedUpdateManyInput, "key" | "updatedAt">;

/** The change that opens a resolved incident again: a fresh opening time, and who acknowledged or resolved it before is forgotten. */
export function reopening(now: Date): IncidentChange {
  return { state: "open", openedAt: now, acknowledgedAt: null, acknowledgedById: null, acknowledgedByName: null, resolvedAt: null, resolvedById: null, resolvedByName: null };
}

export async function findIncident(key: string) {
  return (await db()).incident.findUnique({ where: { key } });
}

/** Incidents not resolved, plus those resolved at or after `resolvedSince`. */
export async function listIncidents(resolvedSince: Date) {
  return (await db()).incident.findMany({
    where: { OR: [{ state: { not: "resolved" } }, { resolvedAt: { gte: resolvedSince } }] },
    orderBy: [{ lastSeenAt: "desc" }, { key: "asc" }],
  });
}

/** Creates an incident; false when another scan created it first. */
export async function insertIncident(incident: IncidentWrite): Promise<boolean> {
  const client = await db();
  const existing = await client.incident.findUnique({ where: { key: incident.key }, select: { key: true } });
  if (existing) return false;
  try {
    await client.incident.create({ data: incident });
    return true;
  } catch (error) {
    // A concurrent scan on another instance won the insert.
    if (typeof error === "object" && error !== null && "code" in error && error.code === "P2002") return false;
    throw error;
  }
}

/** Applies `change` when the incident is still in one of `fromStates`; false otherwise. */
export async function updateIncidentIf(key: string, fromStates: readonly string[], change: IncidentChange): Promise<boolean> {
  const { count } = await (await db()).incident.updateMany({ where: { key, state: { in: [...fromStates] } }, data: change });
  return count === 1;
}

/** Unresolved incidents of one kind (the drift detector counts occurrences of its open changes). */
export async function listUnresolvedIncidentsOfKind(kind: string) {
  return (await db()).incident.findMany({ where: { kind, state: { not: "resolved" } } });
}
