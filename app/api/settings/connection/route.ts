// GET|PUT /api/settings/connection — RxScale environment, API key (write-only), target URL (admin).
import { connectionViewDtoSchema, saveConnectionRequestSchema } from "@/lib/subscriptions";
import { json, readJson, requestOrigin, withViewer } from "@/server/http";
import { getConnectionView, saveConnection } from "@/server/subscriptions/service";

export const GET = withViewer("admin", async (request) => json(connectionViewDtoSchema, await getConnectionView(requestOrigin(request))));

export const PUT = withViewer("admin", async (request, { viewer }) => {
  const body = await readJson(request, saveConnectionRequestSchema);
  return json(connectionViewDtoSchema, await saveConnection(body, viewer.via === "session" ? viewer.userId : null, requestOrigin(request)));
});
