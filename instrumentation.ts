import type { Instrumentation } from "next";

/** Next.js calls this once per server process before serving requests. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("@/server/startup/start-server");
  await startServer();
}

/**
 * A page that failed to render shows the person only Next.js's digest; this
 * logs the digest next to the request id (set by proxy.ts), so the digest
 * someone quotes finds the request's log lines. Only the route pattern is
 * logged: a path can carry search terms.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { log } = await import("@/server/core/logger");
  const digest = typeof error === "object" && error !== null && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  const requestId = request.headers["x-request-id"];
  log("error", "request failed", { digest, requestId: typeof requestId === "string" ? requestId : null, route: context.routePath, routeType: context.routeType, method: request.method });
};
