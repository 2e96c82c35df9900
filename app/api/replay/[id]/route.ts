// GET /api/replay/:id — one replay with its plan, progress and how the planned orders stand now (admin).
import { z } from "zod";
import { pathSegmentSchema } from "@/lib/route-params";
import { replayJobDtoSchema } from "@/lib/failures";
import { eventIdSchema } from "@/lib/processing";
import { json, withViewer } from "@/server/http/route-handler";
import { getReplayJob } from "@/server/replay/jobs";

export const GET = withViewer("admin", z.object({ id: pathSegmentSchema.pipe(eventIdSchema) }), async (_request, { params }) => {
  const { id } = params;
  return json(replayJobDtoSchema, await getReplayJob(id));
});
