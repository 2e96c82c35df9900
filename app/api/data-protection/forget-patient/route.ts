// POST /api/data-protection/forget-patient — an erasure request: removes every body mentioning the patient and unlinks them (admin, reason required).
import { forgetPatientRequestSchema, forgetPatientResultDtoSchema } from "@/lib/data-protection";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { forgetPatient } from "@/server/retention/forget-patient";

export const POST = withViewer("admin", async (request, { viewer }) => {
  const body = await readJson(request, forgetPatientRequestSchema);
  return json(forgetPatientResultDtoSchema, await forgetPatient(body, viewer, { headers: request.headers }));
});
