// POST /api/reconciliation/orders/:uid — check one order against RxScale now (the trace page's button); rate-limited per person (429), audited.
import { orderCheckDtoSchema } from "@/lib/reconciliation";
import { uidParamsSchema } from "@/lib/route-params";
import { json, withViewer } from "@/server/http/route-handler";
import { checkOrder } from "@/server/reconciliation/runs";

export const POST = withViewer("support", uidParamsSchema, async (request, { viewer, params }) => json(orderCheckDtoSchema, await checkOrder(params.uid, viewer, request.headers)));
