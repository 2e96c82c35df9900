// GET /api/orders/attention — the attention queue: orders in Needs attention and stuck orders, open and snoozed (staff and up).
import { attentionQueueDtoSchema } from "@/lib/attention";
import { getAttentionQueue } from "@/server/attention/queue";
import { json, withViewer } from "@/server/http/route-handler";

export const GET = withViewer("staff", async (_request, { viewer }) => json(attentionQueueDtoSchema, await getAttentionQueue(viewer)));
