// POST /api/users/:id/password-reset — make a one-time link with which the user sets a new password; audited (admin).
import { idParamsSchema } from "@/lib/route-params";
import { passwordResetLinkDtoSchema } from "@/lib/accounts";
import { createPasswordResetLink } from "@/server/auth/password-reset";
import { json, withViewer } from "@/server/http/route-handler";

export const POST = withViewer("admin", idParamsSchema, async (request, { viewer, params }) =>
  json(passwordResetLinkDtoSchema, await createPasswordResetLink(params.id, { actor: viewer, headers: request.headers }), { status: 201 }),
);
