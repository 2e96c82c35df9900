// GET /api/deliveries/:id — one delivery with headers, body (personal data masked unless revealed), verification, its event, duplicates and processing attempts (support).
import { deliveryDetailDtoSchema, deliveryIdSchema } from "@/lib/deliveries";
import { AppError } from "@/server/core/errors";
import { getDeliveryDetail } from "@/server/deliveries/service";
import { json, withViewer } from "@/server/http/route-handler";
import { DELIVERY_VIEWER_ROLE } from "@/server/deliveries/reveal";

export const GET = withViewer<{ id: string }>(DELIVERY_VIEWER_ROLE, async (_request, { viewer, params }) => {
  const id = deliveryIdSchema.safeParse(params.id);
  if (!id.success) throw new AppError("not_found", "No delivery with that id.");
  return json(deliveryDetailDtoSchema, await getDeliveryDetail(id.data, viewer));
});
