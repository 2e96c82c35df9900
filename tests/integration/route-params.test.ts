import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { createUser } from "@/server/auth/users";

/*
 * Every JSON route with a path parameter validates it: a malformed one is a
 * 400 with the error envelope, never a 500 and never passed on to a service.
 */

const ORIGIN = "http://rxwatch.test";
const API = path.resolve(import.meta.dirname, "../../app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type RouteModule = Partial<Record<(typeof METHODS)[number], (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>>>;

/** Route files under app/api whose path has a dynamic segment (better-auth's catch-all aside), with their parameter names. */
function parameterisedRoutes(directory = API, names: string[] = []): { file: string; names: string[] }[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      const param = /^\[(\w+)\]$/.exec(entry.name)?.[1];
      return entry.name.startsWith("[...") ? [] : parameterisedRoutes(full, param ? [...names, param] : names);
    }
    return entry.name === "route.ts" && names.length > 0 ? [{ file: full, names }] : [];
  });
}

async function adminCookie(): Promise<string> {
  await createUser({ email: "params-admin@example.com", password: "params passphrase", role: "admin" });
  const response = await authPost(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", host: "rxwatch.test", origin: ORIGIN },
      body: JSON.stringify({ email: "params-admin@example.com", password: "params passphrase" }),
    }),
  );
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

const BAD_VALUES = { "10,000 characters": "x".repeat(10_000), "a control character": "ab\u0000cd", empty: "" };

describe("path parameters", () => {
  const routes = parameterisedRoutes();
  let cookie = "";
  beforeAll(async () => {
    cookie = await adminCookie();
  });

  it("finds the parameterised routes", () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
  });

  it.each(Object.entries(BAD_VALUES))("answers 400 to %s in every path parameter", async (_label, value) => {
    const failures: string[] = [];
    for (const route of routes) {
      const routeModule = (await import(route.file)) as RouteModule;
      for (const method of METHODS) {
        const handler = routeModule[method];
        if (!handler) continue;
        const request = new Request(`${ORIGIN}/api/x`, { method, headers: { cookie, host: "rxwatch.test", origin: ORIGIN, "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" });
        const response = await handler(request, { params: Promise.resolve(Object.fromEntries(route.names.map((name) => [name, value]))) });
        const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
        if (response.status !== 400 || body?.error?.code !== "invalid_request") failures.push(`${method} ${path.relative(API, route.file)}: ${response.status} ${body?.error?.code ?? ""}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
