import { NextResponse, type NextRequest } from "next/server";
import { getSessionCookie } from "better-auth/cookies";

/**
 * Sends people without a session cookie to the sign-in page. This is a
 * convenience only: every page and API route checks the session and role on
 * the server itself. API routes (the webhook receiver above all) never pass
 * through here — see `config.matcher`.
 */
export function proxy(request: NextRequest): NextResponse {
  if (getSessionCookie(request, { cookiePrefix: "rxwatch" })) return NextResponse.next();
  const signIn = new URL("/sign-in", request.url);
  const next = request.nextUrl.pathname + request.nextUrl.search;
  if (next !== "/") signIn.searchParams.set("next", next);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: ["/((?!api/|_next/|sign-in|favicon.ico|robots.txt).*)"],
};
