// DELETE /api/settings/subscriptions/:uid — unsubscribe at RxScale (admin).
import { uidParamsSchema } from "@/lib/route-params";
import { recordAudit } from "@/server/audit/record-audit";
import { requestOrigin, withViewer } from "@/server/http/route-handler";
import { unsubscribe } from "@/server/subscriptions/service";

export const DELETE = withViewer("admin", uidParamsSchema, async (request, { viewer, params }) => {
  await unsubscribe(params.uid, requestOrigin(request), viewer.via === "session" ? viewer.userId : null);
  await recordAudit({ action: "subscription.delete", actor: viewer, target: { type: "subscription", id: params.uid }, headers: request.headers });
  return new Response(null, { status: 204 });
});
