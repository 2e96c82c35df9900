// GET /api/filter-values/deliveries — event types stored, with counts, for the deliveries page's picker (support and up).
import { deliveryFilterValuesDtoSchema } from "@/lib/filter-values";
import { json, withViewer } from "@/server/http/route-handler";
import { listDeliveryFilterValues } from "@/server/deliveries/filter-values";

export const GET = withViewer("support", async () => json(deliveryFilterValuesDtoSchema, await listDeliveryFilterValues()));
