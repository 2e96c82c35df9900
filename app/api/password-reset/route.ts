// POST /api/password-reset — set a new password with a one-time reset link's token (public: the token is the authorisation).
import { completePasswordResetRequestSchema } from "@/lib/accounts";
import { completePasswordReset } from "@/server/auth/password-reset";
import { MAX_AUTH_BODY_BYTES, readJson, withSameOriginBody } from "@/server/http/route-handler";

export const POST = withSameOriginBody(
  async (request) => {
    await completePasswordReset(await readJson(request, completePasswordResetRequestSchema), request.headers);
    return new Response(null, { status: 204 });
  },
  { maxBytes: MAX_AUTH_BODY_BYTES },
);
