import path from "node:path";
import type { Role } from "@/lib/roles";
import { E2E_BASE_URL } from "../../playwright.config";
import { CALLERS, classifyResponse, expectedOutcome, findRuleProblems, readBuiltRoutes, samplePath, type BuiltRoute, type Caller } from "../security/route-inventory";
import { AUTH_ENDPOINT_RULES, ENDS_CALLERS_SESSIONS, ROUTE_RULES, SAMPLE_PATHS, type HttpMethod } from "../security/route-rules";
import { expect, test, USERS } from "./fixtures";

/*
 * Every page and API route of the production build, called as anonymous,
 * staff, support and admin: each must answer exactly as tests/security/route-rules.ts
 * says. Calls use made-up ids and a body no endpoint accepts (`[]`), so an
 * allowed call is refused by validation or finds nothing, and changes nothing.
 */

const root = path.resolve(import.meta.dirname, "../..");
const FOREIGN_ORIGIN = "https://evil.example";
const SAFE_METHODS = new Set<HttpMethod>(["GET", "HEAD", "OPTIONS"]);

async function sessionCookie(role: Role): Promise<string> {
  const response = await fetch(`${E2E_BASE_URL}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: E2E_BASE_URL },
    body: JSON.stringify(USERS[role]),
  });
  expect(response.status, `sign-in as ${role}`).toBe(200);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

interface Call {
  status: number;
  location: string | null;
  headers: Headers;
}

/** One request; the body is never read, so streams (SSE, exports) end at once. */
async function call(method: HttpMethod, url: string, { cookie, origin = E2E_BASE_URL }: { cookie?: string; origin?: string }): Promise<Call> {
  const headers: Record<string, string> = { origin };
  if (cookie) headers.cookie = cookie;
  const hasBody = !SAFE_METHODS.has(method);
  if (hasBody) headers["content-type"] = "application/json";
  const response = await fetch(`${E2E_BASE_URL}${url}`, { method, headers, body: hasBody ? "[]" : undefined, redirect: "manual" });
  await response.body?.cancel();
  return { status: response.status, location: response.headers.get("location"), headers: response.headers };
}

test.describe("route inventory", () => {
  let routes: BuiltRoute[];
  const cookies = new Map<Caller, string | undefined>();

  test.beforeAll(async () => {
    routes = readBuiltRoutes(root);
    cookies.set("anonymous", undefined);
    for (const role of ["staff", "support", "admin"] as const) cookies.set(role, await sessionCookie(role));
  });

  test("every built page and API route has a rule for each method, and every rule a route", () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(findRuleProblems(routes, ROUTE_RULES)).toEqual([]);
  });

  test("the inventory check notices a route without a rule, a method without a rule and a rule without a route", () => {
    const planted: BuiltRoute[] = [
      { route: "/api/orders", kind: "api", methods: ["GET", "DELETE"] },
      { route: "/api/brand-new", kind: "api", methods: ["POST"] },
    ];
    const problems = findRuleProblems(planted, { "/api/orders": { GET: "staff" }, "/api/gone": { GET: "admin" } });
    expect(problems).toEqual([expect.stringContaining("DELETE /api/orders"), expect.stringContaining("/api/brand-new"), expect.stringContaining("/api/gone")]);
  });

  test("anonymous, staff, support and admin each get exactly the access the rules give, on every route and method", async () => {
    test.setTimeout(180_000);
    const mismatches: string[] = [];
    const missingHeaders: string[] = [];
    for (const { route, kind, methods } of routes) {
      for (const method of methods) {
        const access = ROUTE_RULES[route]?.[method];
        if (!access) continue; // reported by the inventory test
        const url = samplePath(route, method, SAMPLE_PATHS);
        for (const caller of CALLERS) {
          const response = await call(method, url, { cookie: cookies.get(caller) });
          const expected = expectedOutcome(access, caller, kind);
          const actual = classifyResponse(response.status, response.location);
          if (ENDS_CALLERS_SESSIONS.has(`${method} ${route}`) && caller !== "anonymous") cookies.set(caller, await sessionCookie(caller));
          if (actual !== expected) mismatches.push(`${caller} ${method} ${url}: expected ${expected}, got ${actual} (${response.status}${response.location ? ` → ${response.location}` : ""})`);
          if (kind === "api" && !/no-store/.test(response.headers.get("cache-control") ?? "")) missingHeaders.push(`${caller} ${method} ${url}: Cache-Control ${response.headers.get("cache-control")}`);
          if (response.headers.get("x-content-type-options") !== "nosniff") missingHeaders.push(`${caller} ${method} ${url}: no nosniff`);
          if (!/frame-ancestors 'none'/.test(response.headers.get("content-security-policy") ?? "")) missingHeaders.push(`${caller} ${method} ${url}: no frame-ancestors 'none'`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(missingHeaders).toEqual([]);
  });

  // Empty, long, broken and overlong percent-encoding, control characters, traversal.
  const oddValues = ["", "%E0%A4%A", "%", "%ZZ", "%ED%A0%80", "%C0%AF", "%00", "%0D%0A", "%FF%FE", "..%2F..%2Fetc", "x".repeat(10_000)];

  test("every page answers odd path segments and query values, signed in or not, without a 5xx", async () => {
    test.setTimeout(180_000);
    const serverErrors: string[] = [];
    let checked = 0;
    const pages = routes.filter((route) => route.kind === "page");
    expect(pages.length).toBeGreaterThan(5);
    for (const { route } of pages) {
      const isDynamic = /\[/.test(route);
      for (const value of oddValues) {
        const paths = [`${samplePath(route, "GET", SAMPLE_PATHS)}?q=${value}&status=${value}&cursor=${value}&next=${value}&page=${value}&status=${value}`];
        if (isDynamic && value !== "") paths.push(route.replace(/\[(?:\.\.\.)?[^\]]+\]/g, value));
        for (const url of paths) {
          for (const caller of ["anonymous", "admin"] as const) {
            const response = await call("GET", url, { cookie: cookies.get(caller) });
            checked += 1;
            if (response.status >= 500) serverErrors.push(`${caller} GET ${url.slice(0, 120)}: ${response.status}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(serverErrors).toEqual([]);
  });

  test("every API route answers odd path segments and query values, with every method, signed in or not, without a 5xx", async () => {
    test.setTimeout(300_000);
    const serverErrors: string[] = [];
    let checked = 0;
    for (const { route, kind, methods } of routes) {
      if (kind !== "api") continue;
      for (const method of methods) {
        const access = ROUTE_RULES[route]?.[method];
        // Not sent: a call that would end the caller's own sessions, and unsigned webhooks (each would be stored as a rejected delivery).
        if (!access || access === "signature" || ENDS_CALLERS_SESSIONS.has(`${method} ${route}`)) continue;
        const isDynamic = /\[/.test(route);
        for (const value of oddValues) {
          const paths: string[] = [];
          if (method === "GET") paths.push(`${samplePath(route, method, SAMPLE_PATHS)}?q=${value}&status=${value}&cursor=${value}&actor=${value}&type=${value}&from=${value}&limit=${value}`);
          if (isDynamic && value !== "") paths.push(route.replace(/\[(?:\.\.\.)?[^\]]+\]/g, value));
          for (const url of paths) {
            for (const caller of ["anonymous", "admin"] as const) {
              const response = await call(method, url, { cookie: cookies.get(caller) });
              checked += 1;
              if (response.status >= 500) serverErrors.push(`${caller} ${method} ${url.slice(0, 120)}: ${response.status}`);
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(serverErrors).toEqual([]);
  });

  test("under /api/auth only the endpoints the rules list answer; the rest of better-auth is a 404 for everyone", async () => {
    const unused = ["POST /verify-password", "POST /update-session", "GET /list-accounts", "GET /account-info", "POST /get-access-token", "GET /list-sessions", "POST /change-password", "POST /admin/set-role"];
    const answered: string[] = [];
    for (const endpoint of unused) {
      const [method, path] = endpoint.split(" ") as [HttpMethod, string];
      for (const caller of CALLERS) {
        const response = await call(method, `/api/auth${path}`, { cookie: cookies.get(caller) });
        if (response.status !== 404) answered.push(`${caller} ${endpoint}: ${response.status}`);
      }
    }
    expect(answered).toEqual([]);
    for (const endpoint of Object.keys(AUTH_ENDPOINT_RULES).filter((key) => key.startsWith("GET "))) {
      const response = await call("GET", `/api/auth${endpoint.slice(4)}`, { cookie: cookies.get("staff") });
      expect(response.status, endpoint).toBe(200);
    }
  });

  test("a page or API path with broken percent-encoding is a 400, not a 500", async () => {
    for (const caller of ["anonymous", "staff"] as const) {
      for (const url of ["/orders/%E0%A4%A", "/api/orders/%E0%A4%A", "/api/deliveries/%ff/reveal", "/api/users/%ZZ", "/api/auth/%E0"]) {
        const method = url.endsWith("/reveal") ? "POST" : "GET";
        const response = await call(method, url, { cookie: cookies.get(caller) });
        expect(response.status, `${caller} ${method} ${url}`).toBe(400);
      }
    }
  });

  test("every state-changing route refuses a signed-in admin's change sent from another site", async () => {
    const admin = cookies.get("admin");
    const accepted: string[] = [];
    let checked = 0;
    for (const { route, methods } of routes) {
      for (const method of methods) {
        const access = ROUTE_RULES[route]?.[method];
        // The webhook is authenticated by its signature and carries no cookie; the bench no-op changes nothing.
        if (SAFE_METHODS.has(method) || !access || access === "signature" || access === "bench" || access === "network") continue;
        const url = samplePath(route, method, SAMPLE_PATHS);
        const response = await call(method, url, { cookie: admin, origin: FOREIGN_ORIGIN });
        checked += 1;
        if (response.status !== 403) accepted.push(`${method} ${url}: ${response.status}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(accepted).toEqual([]);
  });
});
