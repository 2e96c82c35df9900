// POST /api/settings/subscriptions/:uid/recreate — delete and create again with this RxWatch's current target (admin).
import { uidParamsSchema } from "@/lib/route-params";
import { subscribeResultDtoSchema } from "@/lib/subscriptions";
import { recordAudit } from "@/server/audit/record-audit";
import { json, requestOrigin, withViewer } from "@/server/http/route-handler";
import { recreate } from "@/server/subscriptions/service";

export const POST = withViewer("admin", uidParamsSchema, async (request, { viewer, params }) => {
  const result = await recreate(params.uid, requestOrigin(request), viewer.via === "session" ? viewer.userId : null);
  await recordAudit({
    action: "subscription.recreate",
    actor: viewer,
    outcome: result.failed.length > 0 ? "failure" : "success",
    target: { type: "subscription", id: params.uid },
    details: { newUids: result.created.map((created) => created.uid).join(","), failed: result.failed.length },
    headers: request.headers,
  });
  return json(subscribeResultDtoSchema, result);
});
