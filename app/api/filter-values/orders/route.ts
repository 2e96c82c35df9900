// GET /api/filter-values/orders — statuses and pharmacies seen on orders, with counts, for the orders page's pickers (staff and up).
import { orderFilterValuesDtoSchema } from "@/lib/filter-values";
import { json, withViewer } from "@/server/http/route-handler";
import { listOrderFilterValues } from "@/server/orders/filter-values";

export const GET = withViewer("staff", async () => json(orderFilterValuesDtoSchema, await listOrderFilterValues()));
