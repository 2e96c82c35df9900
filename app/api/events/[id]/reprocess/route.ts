// POST /api/events/:id/reprocess — queue an event to be processed again, whatever its status (support).
import { eventIdSchema, reprocessResultDtoSchema } from "@/lib/processing";
import { AppError } from "@/server/errors";
import { json, withViewer } from "@/server/http";
import { reprocessEvent } from "@/server/processing/reprocess";

export const POST = withViewer<{ id: string }>("support", async (_request, { params }) => {
  const id = eventIdSchema.safeParse(params.id);
  if (!id.success) throw new AppError("not_found", "No event with that id.");
  return json(reprocessResultDtoSchema, await reprocessEvent(id.data));
});
