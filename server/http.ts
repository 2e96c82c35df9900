import "server-only";
import type { z } from "zod";
import type { Role } from "@/lib/roles";
import { env } from "@/server/env";
import { AppError, toErrorEnvelope } from "@/server/errors";
import { log } from "@/server/logger";
import { requireViewer, type Viewer } from "@/server/auth/viewer";
import { withRequestContext, withRequestIdHeader } from "@/server/request-context";

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
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  const allowed = new Set(trusted);
  if (host) {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  return allowed.has(origin);
}

/**
 * The origin the client used to reach this server: the forwarded or Host
 * header (Next's `request.url` names its own bind address instead).
 */
export function requestOrigin(request: Request): string {
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (!host) return new URL(request.url).origin;
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? new URL(request.url).protocol.replace(":", "");
  return `${proto}://${host}`;
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

/** Parses a JSON body against `schema`, refusing oversized or malformed bodies with a clear 4xx. */
export async function readJson<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_JSON_BODY_BYTES) throw new AppError("payload_too_large", `Request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes.`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_JSON_BODY_BYTES) throw new AppError("payload_too_large", `Request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("invalid_request", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError("invalid_request", "The body does not have the expected shape.", {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    });
  }
  return parsed.data;
}

export function json<T>(schema: z.ZodType<T>, value: T, init?: ResponseInit): Response {
  return Response.json(schema.parse(value), { ...init, headers: { "cache-control": "no-store", ...init?.headers } });
}

type Handler<P> = (request: Request, context: { viewer: Viewer; params: P }) => Promise<Response>;

/**
 * Wraps a JSON route handler: authenticates (session or token), checks the
 * role, enforces same-origin for cookie-authenticated changes, and maps every
 * error to the one envelope. Runs within the request's context, so its log
 * lines and the response carry the request id.
 */
export function withViewer<P = Record<string, never>>(minimumRole: Role, handler: Handler<P>) {
  return (request: Request, context: { params: Promise<P> }): Promise<Response> =>
    withRequestContext(request, async () => {
      try {
        const viewer = await requireViewer(request.headers, minimumRole);
        if (viewer.via === "session" && !SAFE_METHODS.has(request.method) && !isSameOriginRequest(request, trustedOrigins())) {
          throw new AppError("csrf_failed", "This change came from another site and was refused. Reload RxWatch and try again.");
        }
        return await handler(request, { viewer, params: await context.params });
      } catch (error) {
        return errorResponse(error);
      }
    });
}
