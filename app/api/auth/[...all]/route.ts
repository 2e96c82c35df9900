// GET|POST /api/auth/* — sign-in, sign-out and session endpoints, served by better-auth; changes same-origin only, bodies capped.
import { auth } from "@/server/auth/auth";
import { MAX_AUTH_BODY_BYTES, withSameOriginBody } from "@/server/http/route-handler";

const handle = withSameOriginBody(async (request) => (await auth()).handler(request), { maxBytes: MAX_AUTH_BODY_BYTES });

export { handle as GET, handle as POST };
