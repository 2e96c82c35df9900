import type { z } from "zod";

/**
 * An error response from RxWatch's JSON API, carrying its documented code and
 * the request id the server logged it under (its X-Request-Id), so a person
 * can quote it and an operator can find the log lines.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;

  constructor(status: number, code: string, message: string, requestId: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

function errorFrom(status: number, body: unknown, requestId: string | null): ApiError {
  if (typeof body === "object" && body !== null && "error" in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === "object" && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      if (typeof code === "string" && typeof message === "string") return new ApiError(status, code, message, requestId);
    }
  }
  return new ApiError(status, "internal", `RxWatch answered ${status}.`, requestId);
}

/** An error answer's body, or null when it is not JSON (a proxy's HTML error page). */
function parseErrorBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * The one way the browser talks to /api/*: same-origin, JSON in and out, the
 * response validated by the schema shared with the server.
 */
export async function apiFetch<T>(path: string, schema: z.ZodType<T>, init?: { method?: string; body?: unknown }): Promise<T> {
  const response = await fetch(path, {
    method: init?.method ?? "GET",
    credentials: "same-origin",
    headers: init?.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const requestId = response.headers.get("x-request-id");
  if (!response.ok) throw errorFrom(response.status, parseErrorBody(text), requestId);
  const body: unknown = text ? JSON.parse(text) : null;
  return schema.parse(body);
}
