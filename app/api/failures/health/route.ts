// GET /api/failures/health?range=1h|6h|24h|7d — deliveries per minute by outcome, p95 acknowledgement time and processing backlog (support).
import { deliveryHealthDtoSchema, healthQuerySchema } from "@/lib/failures";
import { json, parseQuery, withViewer } from "@/server/http/route-handler";
import { getHealth } from "@/server/failures/health";

export const GET = withViewer("support", async (request) => {
  const { range } = parseQuery(request, healthQuerySchema);
  return json(deliveryHealthDtoSchema, await getHealth(range));
});
