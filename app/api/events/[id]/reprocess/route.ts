// POST /api/events/:id/reprocess — queue an event to be processed again, whatever its status (support).
import { z } from "zod";
import { pathSegmentSchema } from "@/lib/route-params";
import { eventIdSchema, reprocessResultDtoSchema } from "@/lib/processing";
import { recordAudit } from "@/server/audit/record-audit";
import { json, withViewer } from "@/server/http/route-handler";
import { reprocessEvent } from "@/server/processing/reprocess";

export const POST = withViewer("support", z.object({ id: pathSegmentSchema.pipe(eventIdSchema) }), async (request, { viewer, params }) => {
  const { id } = params;
  const result = await reprocessEvent(id);
  await recordAudit({ action: "event.reprocess", actor: viewer, target: { type: "event", id: id }, details: { previousStatus: result.previousStatus }, headers: request.headers });
  return json(reprocessResultDtoSchema, result);
});
