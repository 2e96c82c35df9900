// GET /api/failures — failure groups with their incident state, likely-cause evidence and trend (support).
import { failuresDtoSchema } from "@/lib/failures";
import { json, withViewer } from "@/server/http/route-handler";
import { getFailures } from "@/server/failures/scan";

export const GET = withViewer("support", async () => json(failuresDtoSchema, await getFailures()));
