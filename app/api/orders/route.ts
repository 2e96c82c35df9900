// GET /api/orders — one page of orders with counts per stage; filters as in the orders page URL (staff and up).
import { ordersPageDtoSchema, ordersQuerySchema } from "@/lib/orders";
import { json, parseQuery, withViewer } from "@/server/http/route-handler";
import { listOrders } from "@/server/orders/service";

export const GET = withViewer("staff", async (request) => {
  const query = parseQuery(request, ordersQuerySchema);
  return json(ordersPageDtoSchema, await listOrders(query));
});
