// DELETE /api/users/:id/sessions — sign a user out everywhere: every session of theirs ends at once; audited (admin).
import { idParamsSchema } from "@/lib/route-params";
import { revokedSessionsDtoSchema } from "@/lib/accounts";
import { revokeSessions } from "@/server/auth/users";
import { json, withViewer } from "@/server/http/route-handler";

export const DELETE = withViewer("admin", idParamsSchema, async (request, { viewer, params }) =>
  json(revokedSessionsDtoSchema, { sessions: await revokeSessions(params.id, { actor: viewer, headers: request.headers }) }),
);
