import "server-only";

/** Documented error codes: the status each maps to, what it means, and what a caller should do. */
export type ErrorCode =
  | "unauthenticated" // 401: no valid session or token — sign in or send a valid bearer token.
  | "forbidden" // 403: signed in, but the role may not do this — ask an admin.
  | "csrf_failed" // 403: a cookie-authenticated change came from another origin — reload the page.
  | "invalid_request" // 400: body, query or params failed validation — fix the request.
  | "not_found" // 404: the resource does not exist or is not visible to you.
  | "conflict" // 409: the change clashes with existing data (e.g. a user's email is taken).
  | "payload_too_large" // 413: the body exceeds this endpoint's limit.
  | "request_timeout" // 408: the body did not arrive within RXWATCH_BODY_READ_TIMEOUT_SECONDS — send it again, faster.
  | "too_many_requests" // 429: the caller holds as many of this resource as it may (e.g. live streams) — close one first.
  | "rate_limited" // 429: this person asked too often; the message says when to try again (`details.retryAfterSeconds`).
  | "upstream_error" // 502: RxScale's Management API refused or failed; the message says what to fix (`details.kind`).
  | "database_unavailable" // 503: RxWatch cannot reach its database — retry later.
  | "migration_failed" // 500 at start-up: the schema cannot be brought up to date — see the message.
  | "internal"; // 500: anything unexpected; details go to the server log only.

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  invalid_request: 400,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  request_timeout: 408,
  too_many_requests: 429,
  rate_limited: 429,
  upstream_error: 502,
  database_unavailable: 503,
  migration_failed: 500,
  internal: 500,
};

/** The one error type RxWatch throws on purpose. `message` is shown to the caller: never put payload data in it. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.details = details;
  }
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/**
 * Maps any thrown value to a status and the public error envelope. Unknown
 * errors are logged by the caller and become a plain 500 without internals.
 */
export function toErrorEnvelope(error: unknown): { status: number; body: ErrorEnvelope } {
  if (error instanceof AppError) {
    const body: ErrorEnvelope = { error: { code: error.code, message: error.message } };
    if (error.details) body.error.details = error.details;
    return { status: error.status, body };
  }
  return { status: 500, body: { error: { code: "internal", message: "Something went wrong on our side. It has been logged." } } };
}
