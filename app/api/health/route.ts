// GET /api/health — liveness and database readiness for load balancers; no data, no sign-in.
import { healthDtoSchema } from "@/lib/health";
import { checkHealth } from "@/server/health";
import { json } from "@/server/http";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const health = await checkHealth();
  return json(healthDtoSchema, health, { status: health.status === "ok" ? 200 : 503 });
}
