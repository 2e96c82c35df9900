// GET /api/orders/:uid — one order's trace: timeline, entities, events (deliveries and attempts for support and up).
import { uidParamsSchema } from "@/lib/route-params";
import { orderTraceDtoSchema } from "@/lib/order-trace";
import { json, withViewer } from "@/server/http/route-handler";
import { getOrderTrace } from "@/server/orders/service";

export const GET = withViewer("staff", uidParamsSchema, async (_request, { viewer, params }) => json(orderTraceDtoSchema, await getOrderTrace(params.uid, viewer.role)));
