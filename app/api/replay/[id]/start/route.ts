// POST /api/replay/:id/start — start a planned replay in the background, throttled; audited (admin).
import { z } from "zod";
import { pathSegmentSchema } from "@/lib/route-params";
import { replayJobDtoSchema } from "@/lib/failures";
import { eventIdSchema } from "@/lib/processing";
import { json, withViewer } from "@/server/http/route-handler";
import { startReplayJob } from "@/server/replay/jobs";

export const POST = withViewer("admin", z.object({ id: pathSegmentSchema.pipe(eventIdSchema) }), async (request, { viewer, params }) => {
  const { id } = params;
  return json(replayJobDtoSchema, await startReplayJob(id, viewer, { headers: request.headers }));
});
