import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/*
 * The request id: taken from an incoming X-Request-Id when it is a plausible
 * id (a proxy or load balancer in front may already have assigned one), made
 * up otherwise. It rides along the request in AsyncLocalStorage, so every log
 * line written while serving the request carries it without being passed
 * around, and it is echoed in the response's X-Request-Id.
 */

export const REQUEST_ID_HEADER = "x-request-id";
/** Short and plain so a hostile header cannot inject anything into a log line. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

interface RequestContext {
  requestId: string;
}

// One per process (see server/core/process-slot.ts): route bundles and the logger must share one storage.
const storage = processSingleton<AsyncLocalStorage<RequestContext>>("rxwatchRequestContext", () => new AsyncLocalStorage<RequestContext>());

/** The incoming id when it is acceptable, a fresh one otherwise. */
export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get(REQUEST_ID_HEADER)?.trim();
  return incoming && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The id of the request being served, or undefined outside one (worker, timers, start-up). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Sets X-Request-Id on a response; a response with immutable headers is copied first. */
export function withRequestIdHeader(response: Response, requestId: string | undefined = currentRequestId()): Response {
  if (requestId === undefined) return response;
  try {
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(REQUEST_ID_HEADER, requestId);
    return copy;
  }
}

/** Runs `work` within the context of a request whose id was settled elsewhere (a request handed to the processing thread). */
export function withRequestId<T>(requestId: string, work: () => Promise<T>): Promise<T> {
  return storage.run({ requestId }, work);
}

/**
 * Serves `request` within its request context and stamps the response with
 * the id. Nested calls (a wrapped handler calling another) keep the outer id.
 */
export async function withRequestContext(request: Request, serve: () => Promise<Response>): Promise<Response> {
  const existing = currentRequestId();
  if (existing !== undefined) return withRequestIdHeader(await serve(), existing);
  const requestId = requestIdFrom(request.headers);
  return storage.run({ requestId }, async () => withRequestIdHeader(await serve(), requestId));
}
