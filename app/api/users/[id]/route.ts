// PATCH /api/users/:id — change a user's role or disable/enable them (admin).
import { idParamsSchema } from "@/lib/route-params";
import { updateUserRequestSchema, userDtoSchema } from "@/lib/accounts";
import { updateUser } from "@/server/auth/users";
import { json, readJson, withViewer } from "@/server/http/route-handler";

export const PATCH = withViewer("admin", idParamsSchema, async (request, { viewer, params }) => {
  const change = await readJson(request, updateUserRequestSchema);
  return json(userDtoSchema, await updateUser(params.id, change, { actor: viewer, headers: request.headers }));
});
