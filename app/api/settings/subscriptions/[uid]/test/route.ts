// POST /api/settings/subscriptions/:uid/test — ask RxScale for a test delivery and wait for it to arrive here (admin).
import { uidParamsSchema } from "@/lib/route-params";
import { testEventResultDtoSchema } from "@/lib/subscriptions";
import { recordAudit } from "@/server/audit/record-audit";
import { json, withViewer } from "@/server/http/route-handler";
import { sendTestEvent } from "@/server/subscriptions/service";

export const POST = withViewer("admin", uidParamsSchema, async (request, { viewer, params }) => {
  const result = await sendTestEvent(params.uid);
  await recordAudit({
    action: "subscription.test",
    actor: viewer,
    outcome: result.result === "passed" ? "success" : "failure",
    target: { type: "subscription", id: params.uid },
    details: { result: result.result, deliveryId: result.deliveryId },
    headers: request.headers,
  });
  return json(testEventResultDtoSchema, result);
});
