import type { Role } from "@/lib/roles";

/*
 * Who may call what: one line per page or API route, one entry per HTTP
 * method it exports. tests/e2e/route-inventory.spec.ts reads every route from
 * the production build and fails when a route or method has no rule here, or
 * a rule names one that no longer exists — so a new route cannot ship without
 * deciding who may use it.
 *
 * Access:
 * - a role: that role and above; anyone signed in below it gets 403 (API) or
 *   is sent back to /orders (pages); anonymous callers get 401 (API) or the
 *   sign-in page;
 * - "public": anyone, signed in or not (changes still same-origin only);
 * - "signature": a request signature authenticates it, a session never does
 *   (the RxScale webhook): everyone without one gets 401;
 * - "bench": the benchmark's no-op, 404 unless RXWATCH_BENCH_ROUTES=1; holds
 *   no data and changes nothing, so it needs neither sign-in nor origin;
 * - "network": no sign-in, but only from RXWATCH_METRICS_ALLOW addresses or
 *   with RXWATCH_METRICS_TOKEN (the Prometheus scrape); the tests call from
 *   loopback, which the default allow-list admits.
 */
export type Access = Role | "public" | "signature" | "bench" | "network";
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export type RouteRules = Record<string, Partial<Record<HttpMethod, Access>>>;

/** Keyed by the route as the build names it (dynamic segments in brackets). */
export const ROUTE_RULES: RouteRules = {
  // Pages
  "/": { GET: "staff" },
  "/sign-in": { GET: "public" },
  "/reset-password": { GET: "public" },
  "/orders": { GET: "staff" },
  "/orders/[uid]": { GET: "staff" },
  "/insights": { GET: "staff" },
  "/deliveries": { GET: "support" },
  "/failures": { GET: "support" },
  "/reconciliation": { GET: "support" },
  "/event-catalogue": { GET: "support" },
  "/settings": { GET: "admin" },
  "/settings/rxscale": { GET: "admin" },
  "/settings/secrets": { GET: "admin" },
  "/settings/local": { GET: "admin" },
  "/settings/data-protection": { GET: "admin" },
  "/settings/access": { GET: "admin" },
  "/audit": { GET: "admin" },

  // API
  "/api/health": { GET: "public" },
  "/api/auth/[...all]": { GET: "public", POST: "public" },
  "/api/webhooks/rxscale": { POST: "signature" },
  "/api/bench/noop": { POST: "bench" },
  "/api/me": { GET: "staff" },
  "/api/stream": { GET: "staff" },
  "/api/orders": { GET: "staff" },
  "/api/orders/[uid]": { GET: "staff" },
  "/api/orders/attention": { GET: "staff" },
  "/api/orders/[uid]/attention": { POST: "staff" },
  "/api/insights": { GET: "staff" },
  "/api/filter-values/orders": { GET: "staff" },
  "/api/filter-values/deliveries": { GET: "support" },
  "/api/deliveries": { GET: "support" },
  "/api/deliveries/[id]": { GET: "support" },
  "/api/deliveries/export": { GET: "support", POST: "admin" },
  "/api/deliveries/[id]/reveal": { POST: "support" },
  "/api/deliveries/quarantine/reprocess": { POST: "support" },
  "/api/audit": { GET: "admin" },
  "/api/audit/export": { GET: "admin" },
  "/api/data-protection/forget-patient": { POST: "admin" },
  "/api/data-protection/purge-runs": { GET: "admin", POST: "admin" },
  "/api/me/sessions": { DELETE: "staff" },
  "/api/users/[id]/sessions": { DELETE: "admin" },
  "/api/users/[id]/password-reset": { POST: "admin" },
  "/api/password-reset": { POST: "public" },
  "/api/metrics": { GET: "network" },
  "/api/events/[id]/reprocess": { POST: "support" },
  "/api/failures": { GET: "support" },
  "/api/failures/[key]": { POST: "support" },
  "/api/failures/health": { GET: "support" },
  "/api/event-catalogue": { GET: "support" },
  "/api/event-catalogue/changes/[key]/expected": { POST: "admin" },
  "/api/alerts": { GET: "admin", PUT: "admin" },
  "/api/alerts/test": { POST: "admin" },
  "/api/reconciliation/runs": { GET: "support", POST: "support" },
  "/api/reconciliation/runs/[id]": { GET: "support" },
  "/api/reconciliation/runs/[id]/cancel": { POST: "support" },
  "/api/reconciliation/runs/[id]/fill": { POST: "admin" },
  "/api/reconciliation/orders/[uid]": { POST: "support" },
  "/api/replay": { GET: "admin", POST: "admin" },
  "/api/replay/[id]": { GET: "admin" },
  "/api/replay/[id]/start": { POST: "admin" },
  "/api/replay/[id]/cancel": { POST: "admin" },
  "/api/settings/connection": { GET: "admin", PUT: "admin" },
  "/api/settings/connection/check": { POST: "admin" },
  "/api/settings/local/[key]": { GET: "admin", PUT: "admin" },
  "/api/settings/signing-secrets": { GET: "admin", POST: "admin" },
  "/api/settings/signing-secrets/[id]/retire": { POST: "admin" },
  "/api/settings/subscriptions": { GET: "admin", POST: "admin" },
  "/api/settings/subscriptions/[uid]": { DELETE: "admin" },
  "/api/settings/subscriptions/[uid]/recreate": { POST: "admin" },
  "/api/settings/subscriptions/[uid]/test": { POST: "admin" },
  "/api/tokens": { GET: "admin", POST: "admin" },
  "/api/tokens/[id]": { DELETE: "admin" },
  "/api/users": { GET: "admin", POST: "admin" },
  "/api/users/[id]": { PATCH: "admin" },
};

/**
 * The better-auth endpoints `/api/auth/[...all]` serves, as "METHOD /path"
 * under /api/auth: the ones RxWatch's pages call. Every other better-auth
 * endpoint answers 404 to everyone (tests/integration/perimeter.test.ts walks
 * them all), so a new one cannot open without a line here.
 */
export const AUTH_ENDPOINT_RULES: Record<string, Access> = {
  "POST /sign-in/email": "public",
  "POST /sign-out": "public",
  "GET /get-session": "public",
};

/**
 * Concrete paths to call where substituting a made-up id into the dynamic
 * segments would not reach the handler's access check in a harmless way.
 */
/** Calls that end the caller's own sessions: the inventory signs the caller in again afterwards. */
export const ENDS_CALLERS_SESSIONS: ReadonlySet<string> = new Set(["DELETE /api/me/sessions"]);

export const SAMPLE_PATHS: Record<string, Partial<Record<HttpMethod, string>>> = {
  "/api/auth/[...all]": { GET: "/api/auth/get-session", POST: "/api/auth/sign-in/email" },
};
