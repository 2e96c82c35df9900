// POST /api/failures/:key — acknowledge, resolve or reopen a failure group's incident (support).
import { failureGroupKeySchema, failuresDtoSchema, incidentActionRequestSchema } from "@/lib/failures";
import { recordAudit } from "@/server/audit/record-audit";
import { AppError } from "@/server/core/errors";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { changeIncident } from "@/server/failures/incidents";

export const POST = withViewer<{ key: string }>("support", async (request, { viewer, params }) => {
  const key = failureGroupKeySchema.safeParse(params.key);
  if (!key.success) throw new AppError("not_found", "No failure group with that key.");
  const { action } = await readJson(request, incidentActionRequestSchema);
  const failures = await changeIncident(key.data, action, viewer);
  await recordAudit({ action: "incident.update", actor: viewer, target: { type: "failure_group", id: key.data }, details: { change: action }, headers: request.headers });
  return json(failuresDtoSchema, failures);
});
