// POST /api/settings/connection/check — reach RxScale's health endpoint and prove the key can list subscriptions (admin).
import { connectionCheckDtoSchema } from "@/lib/subscriptions";
import { recordAudit } from "@/server/audit/record-audit";
import { json, withViewer } from "@/server/http/route-handler";
import { checkConnection } from "@/server/subscriptions/service";

export const POST = withViewer("admin", async (request, { viewer }) => {
  const check = await checkConnection();
  // Audited although it changes nothing: it uses the stored API key against RxScale.
  await recordAudit({ action: "connection.check", actor: viewer, outcome: check.ok ? "success" : "failure", headers: request.headers });
  return json(connectionCheckDtoSchema, check);
});
