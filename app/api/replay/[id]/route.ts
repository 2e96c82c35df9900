// GET /api/replay/:id — one replay with its plan, progress and how the planned orders stand now (admin).
import { replayJobDtoSchema } from "@/lib/failures";
import { eventIdSchema } from "@/lib/processing";
import { AppError } from "@/server/core/errors";
import { json, withViewer } from "@/server/http/route-handler";
import { getReplayJob } from "@/server/replay/jobs";

export const GET = withViewer<{ id: string }>("admin", async (_request, { params }) => {
  const id = eventIdSchema.safeParse(params.id);
  if (!id.success) throw new AppError("not_found", "No replay job with that id.");
  return json(replayJobDtoSchema, await getReplayJob(id.data));
});
