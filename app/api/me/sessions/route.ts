// DELETE /api/me/sessions — sign yourself out on every device, this one included; audited (any signed-in person).
import { revokedSessionsDtoSchema } from "@/lib/accounts";
import { revokeSessions } from "@/server/auth/users";
import { AppError } from "@/server/core/errors";
import { json, withViewer } from "@/server/http/route-handler";

export const DELETE = withViewer("staff", async (request, { viewer }) => {
  if (viewer.via !== "session") throw new AppError("invalid_request", "API tokens have no sessions; an admin revokes the token instead.");
  return json(revokedSessionsDtoSchema, { sessions: await revokeSessions(viewer.userId, { actor: viewer, headers: request.headers }) });
});
