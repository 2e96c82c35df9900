// GET /api/reconciliation/runs/:id — one run with a page of its differing orders (`after` pages on).
import { differencesQuerySchema, reconciliationRunDetailDtoSchema } from "@/lib/reconciliation";
import { idParamsSchema } from "@/lib/route-params";
import { json, parseQuery, withViewer } from "@/server/http/route-handler";
import { getRun } from "@/server/reconciliation/runs";

export const GET = withViewer("support", idParamsSchema, async (request, { params }) => {
  const { after } = parseQuery(request, differencesQuerySchema);
  return json(reconciliationRunDetailDtoSchema, await getRun(params.id, after));
});
