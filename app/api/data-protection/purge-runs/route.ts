// GET|POST /api/data-protection/purge-runs — the latest retention purges and erasure requests; POST starts a purge now (admin).
import { purgeRunDtoSchema, purgeRunListDtoSchema } from "@/lib/data-protection";
import { json, withViewer } from "@/server/http/route-handler";
import { log } from "@/server/core/logger";
import { startRetentionPurge } from "@/server/retention/purge";
import { listRecentPurgeRuns } from "@/server/retention/runs";

export const GET = withViewer("admin", async () => json(purgeRunListDtoSchema, { runs: await listRecentPurgeRuns() }));

export const POST = withViewer("admin", async (_request, { viewer }) => {
  const { runId, finished } = await startRetentionPurge(new Date(), { actor: viewer });
  // The purge goes on after the answer (a first purge of a large database takes a while); its failure is
  // recorded on the run and in the audit log.
  finished.catch(() => log("warn", "manual retention purge failed", { runId }));
  const run = (await listRecentPurgeRuns()).find((candidate) => candidate.id === runId);
  return json(purgeRunDtoSchema, run ?? { id: runId, trigger: "retention", state: "running", startedAt: new Date().toISOString(), finishedAt: null, removed: {}, isManual: true, auditId: null, error: null }, {
    status: 202,
  });
});
