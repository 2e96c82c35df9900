import "server-only";
import { Prisma } from "@/server/core/db";
import { currentProvider, db } from "@/server/core/db";

/*
 * Reads and writes of `rxwatch keys rotate`: delivery bodies still on a
 * previous key (or on none: plaintext written before bodies were sealed),
 * re-sealed a batch at a time, each batch in one short transaction together
 * with the patient search keys it re-hashes.
 */

export interface BodyToReseal {
  id: string;
  body: Uint8Array;
  /** Null for a plaintext body written before bodies were sealed. */
  bodyKeyId: string | null;
}

/** Delivery rows that still hold a body, per key id (null: plaintext, written before bodies were sealed). */
export async function countStoredBodiesByKey(): Promise<{ keyId: string | null; count: number }[]> {
  const groups = await (await db()).delivery.groupBy({ by: ["bodyKeyId"], where: { body: { not: null } }, _count: { _all: true } });
  return groups.map((group) => ({ keyId: group.bodyKeyId, count: group._count._all })).sort((a, b) => b.count - a.count);
}

/**
 * The next `take` deliveries after `afterId` (in id order) whose body is not
 * sealed with `currentKeyId`, leaving out the key ids in `skippedKeyIds`
 * (keys that are not configured: those rows cannot be opened).
 */
export async function listBodiesToReseal(currentKeyId: string, skippedKeyIds: readonly string[], afterId: string | null, take: number): Promise<BodyToReseal[]> {
  const rows = await (await db()).delivery.findMany({
    where: {
      body: { not: null },
      OR: [{ bodyKeyId: null }, { bodyKeyId: { notIn: [currentKeyId, ...skippedKeyIds] } }],
      ...(afterId === null ? {} : { id: { gt: afterId } }),
    },
    orderBy: { id: "asc" },
    take,
    select: { id: true, body: true, bodyKeyId: true },
  });
  return rows.flatMap((row) => (row.body === null ? [] : [{ id: row.id, body: row.body, bodyKeyId: row.bodyKeyId }]));
}

export interface ResealedBody {
  id: string;
  /** The key id the body was read under; the row is written only if it still has it (and still has a body). */
  previousKeyId: string | null;
  body: Uint8Array<ArrayBuffer>;
  bodyKeyId: string;
  patientKey: string | null;
}

/** Pairs of (hash under a previous key, hash under the current key) of one patient uid. */
export interface PatientKeyChange {
  from: string;
  to: string;
}

/** Tables whose `patient_key` holds a keyed hash of a patient uid. Trusted identifiers of ours. */
const PATIENT_KEY_TABLES = ["webhook_event", "order_fact", "order", "delivery"] as const;
/** Hash pairs per UPDATE: three bound values each, well below either database's parameter limit. */
const CHANGES_PER_STATEMENT = 500;

function remapSql(table: (typeof PATIENT_KEY_TABLES)[number], changes: readonly PatientKeyChange[]): Prisma.Sql {
  const cases = changes.map((change) => Prisma.sql`WHEN ${change.from} THEN ${change.to}`);
  return Prisma.sql`UPDATE ${Prisma.raw(`"${table}"`)} SET "patient_key" = CASE "patient_key" ${Prisma.join(cases, " ")} ELSE "patient_key" END
    WHERE "patient_key" IN (${Prisma.join(changes.map((change) => change.from))})`;
}

/**
 * Writes one batch in one transaction: each re-sealed body (only where the
 * row still has a body under the key it was read with, so a body purged or
 * re-sealed meanwhile is left alone) and every `patient_key` in events,
 * facts, orders and deliveries that still holds a previous key's hash of a
 * patient uid in this batch. Returns how many bodies (of them, formerly plaintext) and patient keys changed.
 */
export async function applyResealBatch(bodies: readonly ResealedBody[], changes: readonly PatientKeyChange[]): Promise<{ bodies: number; legacyBodies: number; patientKeys: number }> {
  const byPreviousKey = new Map<string | null, ResealedBody[]>();
  for (const body of bodies) byPreviousKey.set(body.previousKeyId, [...(byPreviousKey.get(body.previousKeyId) ?? []), body]);
  return (await db()).$transaction(async (tx) => {
    let resealed = 0;
    let legacy = 0;
    for (const [previousKeyId, group] of byPreviousKey) {
      const count = await tx.$executeRaw(resealSql(previousKeyId, group));
      resealed += count;
      if (previousKeyId === null) legacy += count;
    }
    let patientKeys = 0;
    for (let start = 0; start < changes.length; start += CHANGES_PER_STATEMENT) {
      const chunk = changes.slice(start, start + CHANGES_PER_STATEMENT);
      for (const table of PATIENT_KEY_TABLES) patientKeys += await tx.$executeRaw(remapSql(table, chunk));
    }
    return { bodies: resealed, legacyBodies: legacy, patientKeys };
  });
}

/**
 * One UPDATE for the bodies read under one key id: each row gets its new
 * body and patient key only if it still has a body under that key id. One
 * statement instead of one per row keeps the transaction short.
 */
function resealSql(previousKeyId: string | null, bodies: readonly ResealedBody[]): Prisma.Sql {
  const newBody = bodies.map((body) => Prisma.sql`WHEN ${body.id} THEN CAST(${body.body} AS ${Prisma.raw(currentProvider() === "postgresql" ? "BYTEA" : "BLOB")})`);
  const newPatientKey = bodies.map((body) => Prisma.sql`WHEN ${body.id} THEN ${body.patientKey}`);
  const keyIds = [...new Set(bodies.map((body) => body.bodyKeyId))];
  if (keyIds.length !== 1) throw new Error("a reseal batch mixes target keys");
  return Prisma.sql`UPDATE "delivery" SET
      "body" = CASE "id" ${Prisma.join(newBody, " ")} END,
      "patient_key" = CASE "id" ${Prisma.join(newPatientKey, " ")} END,
      "body_key_id" = ${keyIds[0]}
    WHERE "id" IN (${Prisma.join(bodies.map((body) => body.id))}) AND "body" IS NOT NULL
      AND ${previousKeyId === null ? Prisma.sql`"body_key_id" IS NULL` : Prisma.sql`"body_key_id" = ${previousKeyId}`}`;
}
