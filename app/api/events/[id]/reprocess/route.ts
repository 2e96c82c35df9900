// POST /api/events/:id/reprocess — queue an event to be processed again, whatever its status (support).
import { eventIdSchema, reprocessResultDtoSchema } from "@/lib/processing";
import { recordAudit } from "@/server/audit/record-audit";
import { AppError } from "@/server/core/errors";
import { json, withViewer } from "@/server/http/route-handler";
import { reprocessEvent } from "@/server/processing/reprocess";

export const POST = withViewer<{ id: string }>("support", async (request, { viewer, params }) => {
  const id = eventIdSchema.safeParse(params.id);
  if (!id.success) throw new AppError("not_found", "No event with that id.");
  const result = await reprocessEvent(id.data);
  await recordAudit({ action: "event.reprocess", actor: viewer, target: { type: "event", id: id.data }, details: { previousStatus: result.previousStatus }, headers: request.headers });
  return json(reprocessResultDtoSchema, result);
});
