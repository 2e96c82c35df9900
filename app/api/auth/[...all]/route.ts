// GET|POST /api/auth/* — the sign-in, sign-out and session endpoints the UI uses (404 for the rest of better-auth); changes same-origin only, bodies capped.
import { handleAuthRequest } from "@/server/auth/auth-endpoints";
import { MAX_AUTH_BODY_BYTES, withSameOriginBody } from "@/server/http/route-handler";

const handle = withSameOriginBody(handleAuthRequest, { maxBytes: MAX_AUTH_BODY_BYTES });

export { handle as GET, handle as POST };
