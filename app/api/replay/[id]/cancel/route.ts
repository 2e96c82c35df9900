// POST /api/replay/:id/cancel — stop a replay before its next event (a planned one at once); audited (admin).
import { z } from "zod";
import { pathSegmentSchema } from "@/lib/route-params";
import { replayJobDtoSchema } from "@/lib/failures";
import { eventIdSchema } from "@/lib/processing";
import { json, withViewer } from "@/server/http/route-handler";
import { cancelReplayJob } from "@/server/replay/jobs";

export const POST = withViewer("admin", z.object({ id: pathSegmentSchema.pipe(eventIdSchema) }), async (request, { viewer, params }) => {
  const { id } = params;
  return json(replayJobDtoSchema, await cancelReplayJob(id, viewer, new Date(), request.headers));
});
