// POST /api/orders/:uid/attention — claim, release, note, snooze or resolve an order in the attention queue (staff and up, audited).
import { attentionActionSchema, attentionStateDtoSchema } from "@/lib/attention";
import { uidParamsSchema } from "@/lib/route-params";
import { changeAttention } from "@/server/attention/queue";
import { json, readJson, withViewer } from "@/server/http/route-handler";

export const POST = withViewer("staff", uidParamsSchema, async (request, { viewer, params }) => {
  const action = await readJson(request, attentionActionSchema);
  return json(attentionStateDtoSchema, await changeAttention(params.uid, action, viewer, request.headers));
});
