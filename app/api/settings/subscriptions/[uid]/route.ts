// DELETE /api/settings/subscriptions/:uid — unsubscribe at RxScale (admin).
import { requestOrigin, withViewer } from "@/server/http";
import { unsubscribe } from "@/server/subscriptions/service";

export const DELETE = withViewer<{ uid: string }>("admin", async (request, { viewer, params }) => {
  await unsubscribe(params.uid, requestOrigin(request), viewer.via === "session" ? viewer.userId : null);
  return new Response(null, { status: 204 });
});
