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
 * API routes (the webhook receiver above all) pass through here only when
 * their path may not decode: a proxy buffers request bodies before the routes'
 * own size limits and read deadline.
 */
export function proxy(request: NextRequest): NextResponse {
  if (request.nextUrl.pathname.startsWith("/api/")) return apiPathCheck(request);
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

/**
 * API routes reach here only when their path holds a percent sign that may not
 * decode (see `config.matcher`): Next.js would fail decoding the route params
 * with a bare 500 before any handler runs, so such a path is answered here as
 * the API answers every bad request.
 */
function apiPathCheck(request: NextRequest): NextResponse {
  const requestId = requestIdFrom(request.headers);
  if (isDecodablePath(request.nextUrl.pathname)) return NextResponse.next();
  const body = { error: { code: "invalid_request", message: "The address is not valid: its percent-encoding is broken." } };
  return NextResponse.json(body, { status: 400, headers: { "cache-control": "no-store", "x-content-type-options": "nosniff", [REQUEST_ID_HEADER]: requestId } });
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
  //
  // API paths pass through here only when a percent sign starts an encoded
  // byte above 0x7F or is not followed by two hex digits: the only paths that
  // can fail to decode. Every other API request (the webhook receiver above
  // all) goes straight to its route, body unbuffered.
  matcher: ["/((?!api/|_next/static/|_next/image|.*\\.ico$|.*\\.svg$|.*\\.png$|.*\\.webmanifest$|.*\\.txt$).*)", "/api/:rest(.*%[89a-fA-F].*)", "/api/:rest(.*%(?![0-9a-fA-F]{2}).*)"],
};
