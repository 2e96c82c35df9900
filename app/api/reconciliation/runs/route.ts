// GET|POST /api/reconciliation/runs — recent runs with their counts; POST starts one in the background (202; 409 while one runs).
import { reconciliationRunSchema, reconciliationRunsDtoSchema, startRunRequestSchema } from "@/lib/reconciliation";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { listRuns, startRun } from "@/server/reconciliation/runs";

export const GET = withViewer("support", async () => json(reconciliationRunsDtoSchema, { runs: await listRuns() }));

export const POST = withViewer("support", async (request, { viewer }) => {
  const body = await readJson(request, startRunRequestSchema);
  return json(reconciliationRunSchema, await startRun({ ...body, fill: false }, viewer), { status: 202 });
});
