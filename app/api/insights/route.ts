// GET /api/insights — orders per day, stage times, pharmacy scorecards, funnel and stuck orders for a range (staff and up, no personal data).
import { insightsDtoSchema, insightsQuerySchema } from "@/lib/insights";
import { json, parseQuery, withViewer } from "@/server/http/route-handler";
import { getInsights } from "@/server/insights/service";

export const GET = withViewer("staff", async (request) => {
  const query = parseQuery(request, insightsQuerySchema);
  return json(insightsDtoSchema, await getInsights(query));
});
