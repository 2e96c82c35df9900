// POST /api/failures/:key — acknowledge, resolve or reopen a failure group's incident (support).
import { z } from "zod";
import { pathSegmentSchema } from "@/lib/route-params";
import { failureGroupKeySchema, failuresDtoSchema, incidentActionRequestSchema } from "@/lib/failures";
import { recordAudit } from "@/server/audit/record-audit";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { changeIncident } from "@/server/failures/incidents";

export const POST = withViewer("support", z.object({ key: pathSegmentSchema.pipe(failureGroupKeySchema) }), async (request, { viewer, params }) => {
  const { key } = params;
  const { action } = await readJson(request, incidentActionRequestSchema);
  const failures = await changeIncident(key, action, viewer);
  await recordAudit({ action: "incident.update", actor: viewer, target: { type: "failure_group", id: key }, details: { change: action }, headers: request.headers });
  return json(failuresDtoSchema, failures);
});
