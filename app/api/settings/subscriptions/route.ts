// GET|POST /api/settings/subscriptions — RxScale's subscriptions merged with RxWatch's view; subscribe to event types (admin).
import { subscribeRequestSchema, subscribeResultDtoSchema, subscriptionsViewDtoSchema } from "@/lib/subscriptions";
import { json, readJson, requestOrigin, withViewer } from "@/server/http";
import { getSubscriptionsView, subscribe } from "@/server/subscriptions/service";

export const GET = withViewer("admin", async (request) => json(subscriptionsViewDtoSchema, await getSubscriptionsView(requestOrigin(request))));

export const POST = withViewer("admin", async (request, { viewer }) => {
  const { eventTypes } = await readJson(request, subscribeRequestSchema);
  return json(subscribeResultDtoSchema, await subscribe(eventTypes, requestOrigin(request), viewer.via === "session" ? viewer.userId : null), { status: 201 });
});
