// GET /api/orders — one page of orders with counts per stage; filters as in the orders page URL (staff and up).
import { ordersPageDtoSchema, ordersQuerySchema } from "@/lib/orders";
import { json, withViewer } from "@/server/http/route-handler";
import { listOrders } from "@/server/orders/service";

export const GET = withViewer("staff", async (request) => {
  const query = ordersQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams.entries()));
  return json(ordersPageDtoSchema, await listOrders(query));
});
