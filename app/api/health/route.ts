// GET /api/health — liveness and database readiness for load balancers; no data, no sign-in.
import { readinessDtoSchema } from "@/lib/health";
import { checkReadiness } from "@/server/health/readiness";
import { json } from "@/server/http/route-handler";
import { withRequestContext } from "@/server/core/request-context";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return withRequestContext(request, async () => {
    const health = await checkReadiness();
    return json(readinessDtoSchema, health, { status: health.status === "ok" ? 200 : 503 });
  });
}
