import "server-only";
import { AUTH_BASE_PATH, auth } from "@/server/auth/auth";
import { AppError } from "@/server/core/errors";

/**
 * The better-auth endpoints RxWatch's pages call, by method. Everything else
 * under /api/auth answers 404: better-auth serves more than the UI needs
 * (`verify-password` would let a session guess passwords with no lockout and
 * no audit; `list-accounts`, `account-info`, `get-access-token`,
 * `update-session` answer questions nobody asks). A new entry here is a
 * decision: say which page calls it.
 */
export const ALLOWED_AUTH_ENDPOINTS: ReadonlySet<string> = new Set([
  "POST /sign-in/email", // sign-in form
  "POST /sign-out", // account menu
  "GET /get-session", // better-auth's client refreshes the session after sign-in and sign-out
]);

/** Endpoints whose JSON answer carries the session token, which must stay in the httpOnly cookie. */
const TOKEN_BEARING_ENDPOINTS: ReadonlySet<string> = new Set(["POST /sign-in/email", "GET /get-session"]);

function endpointOf(request: Request): string {
  const pathname = new URL(request.url).pathname;
  const relative = pathname.startsWith(`${AUTH_BASE_PATH}/`) ? pathname.slice(AUTH_BASE_PATH.length) : pathname;
  return `${request.method} ${relative.replace(/\/+$/, "")}`;
}

/**
 * Serves one allowed better-auth endpoint; 404 for the rest. The session token
 * is dropped from JSON answers so a script on the page cannot read it: the
 * browser already holds it in the httpOnly cookie, which is all it needs.
 */
export async function handleAuthRequest(request: Request): Promise<Response> {
  const endpoint = endpointOf(request);
  if (!ALLOWED_AUTH_ENDPOINTS.has(endpoint)) throw new AppError("not_found", "There is no such sign-in endpoint.");
  const response = await (await auth()).handler(request);
  if (!TOKEN_BEARING_ENDPOINTS.has(endpoint)) return response;
  return withoutSessionToken(response);
}

async function withoutSessionToken(response: Response): Promise<Response> {
  if (!response.headers.get("content-type")?.includes("application/json")) return response;
  const text = await response.text();
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new Response(text, { status: response.status, statusText: response.statusText, headers });
  }
  return new Response(JSON.stringify(dropTokens(body)), { status: response.status, statusText: response.statusText, headers });
}

/** better-auth puts the token at `token` (sign-in) and `session.token` (get-session). */
function dropTokens(body: unknown): unknown {
  if (!isObject(body)) return body;
  const { token: _token, ...rest } = body;
  if (isObject(rest.session)) {
    const { token: _sessionToken, ...session } = rest.session;
    rest.session = session;
  }
  return rest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
