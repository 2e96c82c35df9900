// GET /api/deliveries — one page of the deliveries list, newest first (or what arrived after `newer`); filters as in the /deliveries URL (support).
import { deliveriesPageDtoSchema, deliveriesQuerySchema } from "@/lib/deliveries";
import { listDeliveries } from "@/server/deliveries/service";
import { json, parseQuery, withViewer } from "@/server/http/route-handler";
import { DELIVERY_VIEWER_ROLE } from "@/server/deliveries/reveal";

export const GET = withViewer(DELIVERY_VIEWER_ROLE, async (request) => {
  const query = parseQuery(request, deliveriesQuerySchema);
  return json(deliveriesPageDtoSchema, await listDeliveries(query));
});
