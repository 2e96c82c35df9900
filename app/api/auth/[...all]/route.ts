// GET|POST /api/auth/* — sign-in, sign-out and session endpoints, served by better-auth.
import { auth } from "@/server/auth/auth";

async function handle(request: Request): Promise<Response> {
  return (await auth()).handler(request);
}

export { handle as GET, handle as POST };
