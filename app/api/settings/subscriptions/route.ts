// GET|POST /api/settings/subscriptions — RxScale's subscriptions merged with RxWatch's view; subscribe to event types (admin).
import { subscribeRequestSchema, subscribeResultDtoSchema, subscriptionsViewDtoSchema } from "@/lib/subscriptions";
import { json, readJson, withViewer } from "@/server/http";
import { getSubscriptionsView, subscribe } from "@/server/subscriptions/service";

export const GET = withViewer("admin", async (request) => json(subscriptionsViewDtoSchema, await getSubscriptionsView(new URL(request.url).origin)));

export const POST = withViewer("admin", async (request, { viewer }) => {
  const { eventTypes } = await readJson(request, subscribeRequestSchema);
  return json(subscribeResultDtoSchema, await subscribe(eventTypes, new URL(request.url).origin, viewer.via === "session" ? viewer.userId : null), { status: 201 });
});
