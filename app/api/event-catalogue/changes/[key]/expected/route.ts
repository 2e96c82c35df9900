// POST /api/event-catalogue/changes/:key/expected — mark a payload change expected, so it stops raising (admin).
import { z } from "zod";
import { pathSegmentSchema } from "@/lib/route-params";
import { markExpectedDtoSchema } from "@/lib/drift";
import { failureGroupKeySchema } from "@/lib/failures";
import { recordAudit } from "@/server/audit/record-audit";
import { json, withViewer } from "@/server/http/route-handler";
import { markPayloadChangeExpected } from "@/server/drift/mark-expected";

export const POST = withViewer("admin", z.object({ key: pathSegmentSchema.pipe(failureGroupKeySchema) }), async (request, { viewer, params }) => {
  const result = await markPayloadChangeExpected(params.key, viewer);
  await recordAudit({ action: "drift.expected", actor: viewer, target: { type: "failure_group", id: params.key }, headers: request.headers });
  return json(markExpectedDtoSchema, result);
});
