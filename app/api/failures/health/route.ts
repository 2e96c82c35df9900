// GET /api/failures/health?range=1h|6h|24h|7d — deliveries per minute by outcome, p95 acknowledgement time and processing backlog (support).
import { deliveryHealthDtoSchema, healthQuerySchema } from "@/lib/failures";
import { json, withViewer } from "@/server/http/route-handler";
import { getHealth } from "@/server/failures/health";

export const GET = withViewer("support", async (request) => {
  const { range } = healthQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams.entries()));
  return json(deliveryHealthDtoSchema, await getHealth(range));
});
