// POST /api/deliveries/:id/reveal — shows this viewer one delivery's personal data for a while, for a stated reason; audited (support).
import { deliveryIdSchema, revealRequestSchema, revealResultDtoSchema } from "@/lib/deliveries";
import { AppError } from "@/server/core/errors";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { REVEAL_ROLE, revealDelivery } from "@/server/deliveries/reveal";

export const POST = withViewer<{ id: string }>(REVEAL_ROLE, async (request, { viewer, params }) => {
  const id = deliveryIdSchema.safeParse(params.id);
  if (!id.success) throw new AppError("not_found", "No delivery with that id.");
  const { reason } = await readJson(request, revealRequestSchema);
  const { expiresAt } = await revealDelivery(id.data, viewer, reason, request.headers);
  return json(revealResultDtoSchema, { deliveryId: id.data, expiresAt: expiresAt.toISOString() }, { status: 201 });
});
