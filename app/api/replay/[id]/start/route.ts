// POST /api/replay/:id/start — start a planned replay in the background, throttled; audited (admin).
import { replayJobDtoSchema } from "@/lib/failures";
import { eventIdSchema } from "@/lib/processing";
import { AppError } from "@/server/core/errors";
import { json, withViewer } from "@/server/http/route-handler";
import { startReplayJob } from "@/server/replay/jobs";

export const POST = withViewer<{ id: string }>("admin", async (request, { viewer, params }) => {
  const id = eventIdSchema.safeParse(params.id);
  if (!id.success) throw new AppError("not_found", "No replay job with that id.");
  return json(replayJobDtoSchema, await startReplayJob(id.data, viewer, { headers: request.headers }));
});
