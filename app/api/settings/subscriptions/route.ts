// GET|POST /api/settings/subscriptions — RxScale's subscriptions merged with RxWatch's view; subscribe to event types (admin).
import { subscribeRequestSchema, subscribeResultDtoSchema, subscriptionsViewDtoSchema } from "@/lib/subscriptions";
import { recordAudit } from "@/server/audit/record-audit";
import { json, readJson, requestOrigin, withViewer } from "@/server/http/route-handler";
import { getSubscriptionsView, subscribe } from "@/server/subscriptions/service";

export const GET = withViewer("admin", async (request) => json(subscriptionsViewDtoSchema, await getSubscriptionsView(requestOrigin(request))));

export const POST = withViewer("admin", async (request, { viewer }) => {
  const { eventTypes } = await readJson(request, subscribeRequestSchema);
  const result = await subscribe(eventTypes, requestOrigin(request), viewer.via === "session" ? viewer.userId : null);
  await recordAudit({
    action: "subscription.create",
    actor: viewer,
    outcome: result.created.length === 0 ? "failure" : "success",
    details: { eventTypes: eventTypes.join(","), uids: result.created.map((created) => created.uid).join(","), failed: result.failed.length },
    headers: request.headers,
  });
  return json(subscribeResultDtoSchema, result, { status: 201 });
});
