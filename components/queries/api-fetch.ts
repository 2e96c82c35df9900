import type { z } from "zod";

/** An error response from RxWatch's JSON API, carrying its documented code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

function errorFrom(status: number, body: unknown): ApiError {
  if (typeof body === "object" && body !== null && "error" in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === "object" && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      if (typeof code === "string" && typeof message === "string") return new ApiError(status, code, message);
    }
  }
  return new ApiError(status, "internal", `RxWatch answered ${status}.`);
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
  const body: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) throw errorFrom(response.status, body);
  return schema.parse(body);
}
