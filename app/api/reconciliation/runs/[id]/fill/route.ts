// POST /api/reconciliation/runs/:id/fill — record RxScale's state for what the run found: a new run over its window, with fill (admin; 202; audited).
import { reconciliationRunSchema } from "@/lib/reconciliation";
import { idParamsSchema } from "@/lib/route-params";
import { json, withViewer } from "@/server/http/route-handler";
import { fillRun } from "@/server/reconciliation/runs";

export const POST = withViewer("admin", idParamsSchema, async (_request, { viewer, params }) => json(reconciliationRunSchema, await fillRun(params.id, viewer), { status: 202 }));
