// POST /api/bench/noop — baseline for `npm run bench:ingest`: reads the body and answers 200. 404 unless RXWATCH_BENCH_ROUTES=1.
import { env } from "@/server/core/env";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  if (!env().RXWATCH_BENCH_ROUTES) return Response.json({ error: { code: "not_found", message: "Not found." } }, { status: 404 });
  const body = await request.arrayBuffer();
  return Response.json({ status: "ok", bytes: body.byteLength }, { headers: { "cache-control": "no-store" } });
}
