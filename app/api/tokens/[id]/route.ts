// DELETE /api/tokens/:id — revoke an API token (admin).
import { idParamsSchema } from "@/lib/route-params";
import { revokeApiToken } from "@/server/auth/tokens";
import { withViewer } from "@/server/http/route-handler";

export const DELETE = withViewer("admin", idParamsSchema, async (request, { viewer, params }) => {
  await revokeApiToken(params.id, { actor: viewer, headers: request.headers });
  return new Response(null, { status: 204 });
});
