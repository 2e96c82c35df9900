// GET|PUT /api/alerts — alert rules, channels (the SMTP password only as set/unset), rule states and recent notifications (admin).
import { alertsViewDtoSchema, saveAlertsRequestSchema } from "@/lib/alerts";
import { json, readJson, withViewer } from "@/server/http/route-handler";
import { getAlertsView, saveAlerts } from "@/server/alerts/service";

export const GET = withViewer("admin", async () => json(alertsViewDtoSchema, await getAlertsView()));

export const PUT = withViewer("admin", async (request, { viewer }) => {
  const body = await readJson(request, saveAlertsRequestSchema);
  return json(alertsViewDtoSchema, await saveAlerts(body, viewer, request.headers));
});
