// GET /api/deliveries/:id — one delivery with headers, body (personal data masked unless revealed), verification, its event, duplicates and processing attempts (support).
import { z } from "zod";
import { pathSegmentSchema } from "@/lib/route-params";
import { deliveryDetailDtoSchema, deliveryIdSchema } from "@/lib/deliveries";
import { getDeliveryDetail } from "@/server/deliveries/service";
import { json, withViewer } from "@/server/http/route-handler";
import { DELIVERY_VIEWER_ROLE } from "@/server/deliveries/reveal";

export const GET = withViewer(DELIVERY_VIEWER_ROLE, z.object({ id: pathSegmentSchema.pipe(deliveryIdSchema) }), async (_request, { viewer, params }) => {
  const { id } = params;
  return json(deliveryDetailDtoSchema, await getDeliveryDetail(id, viewer));
});
