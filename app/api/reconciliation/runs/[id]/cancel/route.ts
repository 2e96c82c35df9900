// POST /api/reconciliation/runs/:id/cancel — stop a running run after its current page; audited.
import { reconciliationRunSchema } from "@/lib/reconciliation";
import { idParamsSchema } from "@/lib/route-params";
import { json, withViewer } from "@/server/http/route-handler";
import { cancelRun } from "@/server/reconciliation/runs";

export const POST = withViewer("support", idParamsSchema, async (request, { viewer, params }) => json(reconciliationRunSchema, await cancelRun(params.id, viewer, request.headers)));
