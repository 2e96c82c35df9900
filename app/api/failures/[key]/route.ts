// POST /api/failures/:key — acknowledge, resolve or reopen a failure group's incident (support).
import { failureGroupKeySchema, failuresDtoSchema, incidentActionRequestSchema } from "@/lib/failures";
import { AppError } from "@/server/errors";
import { json, readJson, withViewer } from "@/server/http";
import { changeIncident } from "@/server/failures/incidents";

export const POST = withViewer<{ key: string }>("support", async (request, { viewer, params }) => {
  const key = failureGroupKeySchema.safeParse(params.key);
  if (!key.success) throw new AppError("not_found", "No failure group with that key.");
  const { action } = await readJson(request, incidentActionRequestSchema);
  return json(failuresDtoSchema, await changeIncident(key.data, action, viewer));
});
