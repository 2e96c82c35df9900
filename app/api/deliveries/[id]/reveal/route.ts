// POST /api/deliveries/:id/reveal — shows this viewer one delivery's personal data for a while, for a stated reason; audited (support).
import { z } from "zod";
import { pathSegmentSchema } from "@/lib/route-params";
import { deliveryIdSchema, revealRequestSchema, revealResultDtoSchema } from "@/lib/deliveries";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { REVEAL_ROLE, revealDelivery } from "@/server/deliveries/reveal";

export const POST = withViewer(REVEAL_ROLE, z.object({ id: pathSegmentSchema.pipe(deliveryIdSchema) }), async (request, { viewer, params }) => {
  const { id } = params;
  const { reason } = await readJson(request, revealRequestSchema);
  const { expiresAt } = await revealDelivery(id, viewer, reason, request.headers);
  return json(revealResultDtoSchema, { deliveryId: id, expiresAt: expiresAt.toISOString() }, { status: 201 });
});
