// POST /api/webhooks/rxscale — RxScale webhook receiver: verifies the signature, stores durably and deduplicated, then acknowledges. No sign-in: the signature is the authentication.
import { webhookAckSchema, webhookErrorSchema } from "@/lib/rxscale/deliveries";
import { receiveRxscaleWebhook } from "@/server/ingest/receive-webhook";
import { withRequestContext } from "@/server/core/request-context";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return withRequestContext(request, async () => {
    const reply = await receiveRxscaleWebhook(request);
    const body = reply.status === 200 ? webhookAckSchema.parse(reply.body) : webhookErrorSchema.parse(reply.body);
    return Response.json(body, { status: reply.status, headers: { "cache-control": "no-store" } });
  });
}
