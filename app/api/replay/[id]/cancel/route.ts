// POST /api/replay/:id/cancel — stop a replay before its next event (a planned one at once); audited (admin).
import { replayJobDtoSchema } from "@/lib/failures";
import { eventIdSchema } from "@/lib/processing";
import { AppError } from "@/server/core/errors";
import { json, withViewer } from "@/server/http/route-handler";
import { cancelReplayJob } from "@/server/replay/jobs";

export const POST = withViewer<{ id: string }>("admin", async (request, { viewer, params }) => {
  const id = eventIdSchema.safeParse(params.id);
  if (!id.success) throw new AppError("not_found", "No replay job with that id.");
  return json(replayJobDtoSchema, await cancelReplayJob(id.data, viewer, new Date(), request.headers));
});
