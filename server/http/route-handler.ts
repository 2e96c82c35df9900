import "server-only";
import type { z } from "zod";
import type { Role } from "@/lib/roles";
import { env } from "@/server/core/env";
import { AppError, toErrorEnvelope } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { requireViewer, type Viewer } from "@/server/auth/viewer";
import { readCappedBody } from "@/server/core/read-body";
import { withRequestContext, withRequestIdHeader } from "@/server/core/request-context";
import { CLIENT_ADDRESS_HEADER, clientAddress, clientHost, clientProtocol } from "@/server/core/client-address";

/** JSON bodies of the dashboard's own API are small; anything bigger is a mistake or an attack. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cookie-authenticated changes must come from this site: browsers always send
 * `Origin` on cross-site POSTs, so a missing or foreign one is refused.
 * Bearer-token requests carry no ambient credentials and need no check.
 */
export function isSameOriginRequest(request: Request, trusted: readonly string[]): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return request.headers.get("sec-fetch-site") === "same-origin";
  const host = clientHost(request.headers);
  const allowed = new Set(trusted);
  if (host) {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  return allowed.has(origin);
}

/**
 * The origin the client used to reach this server: Host, or a trusted proxy's
 * X-Forwarded-Host/-Proto (Next's `request.url` names its own bind address instead).
 */
export function requestOrigin(request: Request): string {
  const host = clientHost(request.headers);
  if (!host) return new URL(request.url).origin;
  return `${clientProtocol(request.headers, new URL(request.url).protocol.replace(":", ""))}://${host}`;
}

function trustedOrigins(): string[] {
  const config = env();
  const origins = [...config.RXWATCH_TRUSTED_ORIGINS];
  if (config.RXWATCH_PUBLIC_URL) origins.push(new URL(config.RXWATCH_PUBLIC_URL).origin);
  return origins;
}

export function errorResponse(error: unknown): Response {
  const { status, body } = toErrorEnvelope(error);
  if (status >= 500) log("error", "request failed", { error: error instanceof Error ? error.name : "unknown", code: body.error.code, stack: error instanceof Error && !(error instanceof AppError) ? error.stack : undefined });
  return withRequestIdHeader(Response.json(body, { status, headers: { "cache-control": "no-store" } }));
}

/** Options of {@link readJson}. */
export interface ReadJsonOptions {
  /** This endpoint's limit; {@link MAX_JSON_BODY_BYTES} unless a route needs more (or less). */
  maxBytes?: number;
}

// Control characters never belong in a filter, a name or a note, and PostgreSQL
// refuses NUL in text outright: refusing them here keeps that a 400, not a 500.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The dotted path of the first string (or key) in `value` holding a control character, or null. Iterative: a body's depth is the client's choice. */
function pathOfControlCharacters(value: unknown): string | null {
  const pending: [unknown, string][] = [[value, ""]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === "string") {
      if (CONTROL_CHARACTERS.test(item)) return path;
    } else if (item !== null && typeof item === "object") {
      for (const [key, child] of Object.entries(item)) {
        const childPath = (path ? `${path}.${key}` : key).slice(0, 80);
        if (CONTROL_CHARACTERS.test(key)) return path || "a key";
        pending.push([child, childPath]);
      }
    }
  }
  return null;
}

function tooLarge(maxBytes: number): AppError {
  return new AppError("payload_too_large", `Request bodies here are limited to ${maxBytes} bytes.`, { limitBytes: maxBytes });
}

/**
 * The body of a JSON API request, read by the one shared reader (size cap and
 * read deadline); throws the AppError a client gets when it is not complete.
 */
async function readApiBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const body = await readCappedBody(request, maxBytes);
  switch (body.kind) {
    case "ok":
      return body.bytes;
    case "too_large":
      throw tooLarge(maxBytes);
    case "timeout":
      throw new AppError("request_timeout", `The request body did not arrive within ${env().RXWATCH_BODY_READ_TIMEOUT_SECONDS} seconds.`);
    case "aborted":
      throw new AppError("invalid_request", "The request body ended before it was complete.");
  }
}

/**
 * Parses a JSON body against `schema`, refusing oversized, slow (408) or
 * malformed bodies with a clear 4xx. The body is read as a stream and
 * abandoned as soon as it passes the limit, so a missing or false
 * Content-Length cannot make the server hold more than `maxBytes`.
 */
export async function readJson<T extends z.ZodType>(request: Request, schema: T, { maxBytes = MAX_JSON_BODY_BYTES }: ReadJsonOptions = {}): Promise<z.infer<T>> {
  const bytes = await readApiBody(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new AppError("invalid_request", "The body is not valid JSON.");
  }
  const controlled = pathOfControlCharacters(value);
  if (controlled !== null) throw new AppError("invalid_request", `The body's ${controlled || "value"} contains control characters.`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError("invalid_request", "The body does not have the expected shape.", {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    });
  }
  return parsed.data;
}

/**
 * Parses the query string against `schema`: a value it refuses (too long, not
 * one of the allowed ones) is a 400 naming the parameters, never a 500. A
 * repeated parameter counts by its last value.
 */
export function parseQuery<T extends z.ZodType>(request: Request, schema: T): z.output<T> {
  const query = Object.fromEntries(new URL(request.url).searchParams.entries());
  const controlled = pathOfControlCharacters(query);
  if (controlled !== null) throw new AppError("invalid_request", `The query is not valid: ${controlled} contains control characters.`);
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const names = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".")))].filter(Boolean).join(", ");
  throw new AppError("invalid_request", `The query is not valid: check ${names || "its parameters"}.`, {
    issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
  });
}

export function json<T>(schema: z.ZodType<T>, value: T, init?: ResponseInit): Response {
  return Response.json(schema.parse(value), { ...init, headers: { "cache-control": "no-store", ...init?.headers } });
}

type Handler<P> = (request: Request, context: { viewer: Viewer; params: P }) => Promise<Response>;

/**
 * Wraps a JSON route handler: authenticates (session or token), checks the
 * role, enforces same-origin for cookie-authenticated changes, validates the
 * path parameters (a bad one is a 400 naming it, never a 500), and maps every
 * error to the one envelope. Runs within the request's context, so its log
 * lines and the response carry the request id.
 */
export function withViewer(minimumRole: Role, handler: Handler<Record<string, never>>): RouteHandler;
export function withViewer<S extends z.ZodType<Record<string, unknown>>>(minimumRole: Role, paramsSchema: S, handler: Handler<z.output<S>>): RouteHandler;
export function withViewer(minimumRole: Role, ...rest: [Handler<Record<string, never>>] | [z.ZodType<Record<string, unknown>>, Handler<Record<string, unknown>>]): RouteHandler {
  const [paramsSchema, handler] = rest.length === 1 ? [null, rest[0]] : rest;
  return (request, context) =>
    withRequestContext(request, async () => {
      try {
        const viewer = await requireViewer(request.headers, minimumRole);
        if (viewer.via === "session" && !SAFE_METHODS.has(request.method) && !isSameOriginRequest(request, trustedOrigins())) {
          throw new AppError("csrf_failed", "This change came from another site and was refused. Reload RxWatch and try again.");
        }
        const params = paramsSchema ? parseParams(paramsSchema, await context.params) : {};
        return await (handler as Handler<Record<string, unknown>>)(request, { viewer, params });
      } catch (error) {
        return errorResponse(error);
      }
    });
}

type RouteHandler = (request: Request, context: { params: Promise<unknown> }) => Promise<Response>;

function parseParams<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const names = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".")))].join(", ");
  throw new AppError("invalid_request", `The address is not valid: check ${names || "the path"}.`);
}

/**
 * A copy of `request` whose {@link CLIENT_ADDRESS_HEADER} is the resolved client
 * address (a client-sent one dropped), for better-auth's per-address rate limit.
 */
function withClientAddressHeader(request: Request, body: BodyInit | null): Request {
  const headers = new Headers(request.headers);
  const address = clientAddress(request.headers);
  if (address === null) headers.delete(CLIENT_ADDRESS_HEADER);
  else headers.set(CLIENT_ADDRESS_HEADER, address);
  return new Request(request.url, { method: request.method, headers, body, signal: request.signal, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) });
}

/** Bodies of /api/auth/* (email and password, or a sign-out) are tiny. */
export const MAX_AUTH_BODY_BYTES = 16 * 1024;

/**
 * Guards a handler that does not go through {@link withViewer} (better-auth's
 * /api/auth/*): a change must come from this site whether or not it carries a
 * cookie (which also stops sign-in CSRF), and its body is capped before the
 * handler reads it. The webhook receiver is deliberately not wrapped: its
 * signature authenticates it and it caps its own body.
 */
export function withSameOriginBody(handler: (request: Request) => Promise<Response>, { maxBytes }: { maxBytes: number }) {
  return async (request: Request): Promise<Response> => {
    try {
      if (SAFE_METHODS.has(request.method)) return await handler(withClientAddressHeader(request, request.body));
      if (!isSameOriginRequest(request, trustedOrigins())) {
        throw new AppError("csrf_failed", "This change came from another site and was refused. Reload RxWatch and try again.");
      }
      const bytes = await readApiBody(request, maxBytes);
      // A copy typed as a plain ArrayBuffer view, which is what Request accepts.
      return await handler(withClientAddressHeader(request, bytes.slice()));
    } catch (error) {
      return errorResponse(error);
    }
  };
}
