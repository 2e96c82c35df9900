// POST /api/deliveries/quarantine/reprocess — read quarantined deliveries again; a dry run (the default) only counts (support).
import { quarantineReprocessDtoSchema, quarantineReprocessRequestSchema } from "@/lib/deliveries";
import { recordAudit } from "@/server/audit/record-audit";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { reprocessQuarantine } from "@/server/ingest/reprocess-quarantine";

export const POST = withViewer("support", async (request, { viewer }) => {
  const { dryRun } = await readJson(request, quarantineReprocessRequestSchema);
  const result = await reprocessQuarantine(dryRun);
  await recordAudit({ action: "quarantine.reprocess", actor: viewer, details: { dryRun, examined: result.examined, released: result.released, remaining: result.remaining }, headers: request.headers });
  return json(quarantineReprocessDtoSchema, result);
});
