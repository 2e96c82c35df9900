// GET|PUT /api/settings/connection — RxScale environment, API key (write-only), target URL (admin).
import { connectionViewDtoSchema, saveConnectionRequestSchema } from "@/lib/subscriptions";
import { changedFields, recordAudit } from "@/server/audit/record-audit";
import { json, readJson, requestOrigin, withViewer } from "@/server/http/route-handler";
import { getConnectionView, saveConnection } from "@/server/subscriptions/service";

export const GET = withViewer("admin", async (request) => json(connectionViewDtoSchema, await getConnectionView(requestOrigin(request))));

export const PUT = withViewer("admin", async (request, { viewer }) => {
  const body = await readJson(request, saveConnectionRequestSchema);
  const before = await getConnectionView(requestOrigin(request));
  const saved = await saveConnection(body, viewer.via === "session" ? viewer.userId : null, requestOrigin(request));
  const apiKey = body.apiKey === undefined ? "kept" : body.apiKey === null ? "removed" : "replaced";
  await recordAudit({ action: "connection.update", actor: viewer, details: { changed: changedFields(before.settings, saved.settings), apiKey }, headers: request.headers });
  return json(connectionViewDtoSchema, saved);
});
