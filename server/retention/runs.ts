import "server-only";
import { z } from "zod";
import { purgeRunDtoSchema, type PurgeRunDto } from "@/lib/data-protection";
import { listPurgeRuns } from "@/server/repositories/retention";

/** Purge runs shown on the settings page, newest first. */
export const LISTED_PURGE_RUNS = 20;

const countsSchema = z.record(z.string(), z.number()).catch({});

/** The latest purge runs (retention and erasure requests) as DTOs: counts and ids, never a patient identifier. */
export async function listRecentPurgeRuns(): Promise<PurgeRunDto[]> {
  const rows = await listPurgeRuns(LISTED_PURGE_RUNS);
  return rows.map((row) => {
    let removed: unknown;
    try {
      removed = JSON.parse(row.removed);
    } catch {
      removed = {};
    }
    return purgeRunDtoSchema.parse({
      id: row.id,
      trigger: row.trigger,
      state: row.state,
      startedAt: row.startedAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      removed: countsSchema.parse(removed),
      isManual: row.actorId !== null || row.trigger === "forget_patient",
      auditId: row.auditId,
      error: row.error,
    });
  });
}
