// POST /api/settings/subscriptions/:uid/recreate — delete and create again with this RxWatch's current target (admin).
import { subscribeResultDtoSchema } from "@/lib/subscriptions";
import { json, requestOrigin, withViewer } from "@/server/http";
import { recreate } from "@/server/subscriptions/service";

export const POST = withViewer<{ uid: string }>("admin", async (request, { viewer, params }) =>
  json(subscribeResultDtoSchema, await recreate(params.uid, requestOrigin(request), viewer.via === "session" ? viewer.userId : null)),
);
