// POST /api/webhooks/rxscale — RxScale webhook receiver: verifies the signature, stores durably and deduplicated, then acknowledges. No sign-in: the signature is the authentication.
import { receiveRxscaleWebhook } from "@/server/ingest/receive-webhook";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const reply = await receiveRxscaleWebhook(request);
  return Response.json(reply.body, { status: reply.status, headers: { "cache-control": "no-store" } });
}
