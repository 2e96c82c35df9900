// GET /api/deliveries — one page of the event log, newest first (or what arrived after `newer`); filters as in the /events URL (support).
import { deliveriesPageDtoSchema, deliveriesQuerySchema } from "@/lib/deliveries";
import { listDeliveries } from "@/server/event-log";
import { json, withViewer } from "@/server/http";

export const GET = withViewer("support", async (request) => {
  const query = deliveriesQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams.entries()));
  return json(deliveriesPageDtoSchema, await listDeliveries(query));
});
