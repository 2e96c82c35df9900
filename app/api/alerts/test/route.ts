// POST /api/alerts/test — send a test alert to every configured channel and report each result (admin).
import { testAlertResultDtoSchema } from "@/lib/alerts";
import { recordAudit } from "@/server/audit/record-audit";
import { json, withViewer } from "@/server/http/route-handler";
import { sendTestAlert } from "@/server/alerts/service";

export const POST = withViewer("admin", async (request, { viewer }) => {
  const result = await sendTestAlert();
  await recordAudit({ action: "alerts.test", actor: viewer, details: { channels: result.results.length }, headers: request.headers });
  return json(testAlertResultDtoSchema, result);
});
