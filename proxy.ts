import { NextResponse, type NextRequest } from "next/server";
import { getSessionCookie } from "better-auth/cookies";
import { isHttpsRequest, newNonce, pageSecurityHeaders } from "@/lib/security-headers";
import { env } from "@/server/core/env";
import { REQUEST_ID_HEADER, requestIdFrom } from "@/server/core/request-context";

/** Pages anyone may open; every other page needs a session cookie to get past here. */
const PUBLIC_PAGES = new Set(["/sign-in", "/reset-password"]);

/**
 * Runs before every page (not API routes, not build assets — see
 * `config.matcher`):
 * - gives the page a fresh CSP nonce. Next.js reads it from the request's
 *   Content-Security-Policy header and puts it on its own scripts, so the
 *   policy can refuse every script without it;
 * - gives the page request an id (kept when a load balancer sent a plausible
 *   one), answered in X-Request-Id; a render that fails is logged with it;
 * - answers 400 to a path whose percent-encoding is broken, signed in or not;
 * - sends people without a session cookie to the sign-in page. That is a
 *   convenience only: every page and API route checks the session and role
 *   on the server itself.
 * API routes (the webhook receiver above all) never pass through here: a
 * proxy would buffer request bodies before the routes' own size limits.
 */
export function proxy(request: NextRequest): NextResponse {
  const config = env();
  const nonce = newNonce();
  const isHttps = isHttpsRequest({ publicUrl: config.RXWATCH_PUBLIC_URL, requestProtocol: request.nextUrl.protocol, forwardedProto: request.headers.get("x-forwarded-proto") });
  const securityHeaders = pageSecurityHeaders({ nonce, isDevelopment: config.NODE_ENV === "development", isHttps });
  const requestId = requestIdFrom(request.headers);

  let response: NextResponse;
  if (!isDecodablePath(request.nextUrl.pathname)) {
    // Next.js would fail decoding the route params with a 500; nothing can be found at such an address.
    response = new NextResponse("Bad request: the address is not valid (broken percent-encoding).", { status: 400, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  } else if (PUBLIC_PAGES.has(request.nextUrl.pathname) || getSessionCookie(request, { cookiePrefix: "rxwatch" })) {
    const requestHeaders = new Headers(request.headers);
    for (const [name, value] of Object.entries(securityHeaders)) requestHeaders.set(name, value);
    requestHeaders.set(REQUEST_ID_HEADER, requestId);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  } else {
    const signIn = new URL("/sign-in", request.url);
    const next = request.nextUrl.pathname + request.nextUrl.search;
    if (next !== "/") signIn.searchParams.set("next", next);
    response = NextResponse.redirect(signIn);
  }
  for (const [name, value] of Object.entries(securityHeaders)) response.headers.set(name, value);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

/** False when a path segment holds percent-encoding that is not valid UTF-8 (`/orders/%E0%A4%A`, `%ZZ`). */
function isDecodablePath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

export const config = {
  // Also skipped: the files in public/ (icons, the web manifest, robots.txt).
  // Browsers fetch them on their own, before anyone signs in, so they are
  // answered as they are instead of being redirected to the sign-in page.
  // No page path ends in one of these extensions.
  matcher: ["/((?!api/|_next/static/|_next/image|.*\\.ico$|.*\\.svg$|.*\\.png$|.*\\.webmanifest$|.*\\.txt$).*)"],
};
