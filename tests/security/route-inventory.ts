import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { hasRole, type Role } from "@/lib/roles";
import { HTTP_METHODS, type Access, type HttpMethod, type RouteRules } from "./route-rules";

/*
 * Reads the routes the production build serves and checks them against the
 * rule table (route-rules.ts). Pure apart from reading the build output, so
 * the checks themselves can be shown to fail on a planted inventory.
 */

export type RouteKind = "page" | "api";
export interface BuiltRoute {
  route: string;
  kind: RouteKind;
  methods: HttpMethod[];
}

export type Caller = Role | "anonymous";
export const CALLERS: readonly Caller[] = ["anonymous", "staff", "support", "admin"];
/** How a call ended, as far as access is concerned. */
export type Outcome = "allowed" | "unauthenticated" | "forbidden" | "sign-in";

const manifestSchema = z.record(z.string(), z.string());

/** Methods a route.ts exports: `export const GET`, `export async function POST`, `export { handle as GET }`. */
export function exportedMethods(source: string): HttpMethod[] {
  const found = new Set<string>();
  for (const match of source.matchAll(/export\s+(?:const|let|var|(?:async\s+)?function)\s+([A-Z]+)\b/g)) if (match[1]) found.add(match[1]);
  for (const match of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of (match[1] ?? "").split(",")) {
      const name = part.split(/\s+as\s+/).pop()?.trim();
      if (name) found.add(name);
    }
  }
  return HTTP_METHODS.filter((method) => found.has(method));
}

/**
 * Every page and API route of the build in `root`/.next, from Next's
 * app-path-routes manifest (source entry → URL route). Framework pages
 * (`/_not-found`, `/_global-error`) are Next's own and left out.
 */
export function readBuiltRoutes(root: string): BuiltRoute[] {
  const manifestPath = path.join(root, ".next", "app-path-routes-manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run \`next build\` first`);
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, "utf8")));
  const routes: BuiltRoute[] = [];
  for (const [entry, route] of Object.entries(manifest)) {
    if (route.startsWith("/_")) continue;
    if (entry.endsWith("/page")) {
      routes.push({ route, kind: "page", methods: ["GET"] });
      continue;
    }
    const source = [".ts", ".tsx", ".js", ".mjs"].map((extension) => path.join(root, "app", `${entry}${extension}`)).find((file) => existsSync(file));
    if (!source) throw new Error(`no source file for ${entry}`);
    routes.push({ route, kind: "api", methods: exportedMethods(readFileSync(source, "utf8")) });
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}

/** Routes or methods without a rule, and rules for routes or methods that no longer exist. */
export function findRuleProblems(routes: readonly BuiltRoute[], rules: RouteRules): string[] {
  const problems: string[] = [];
  const built = new Map(routes.map((route) => [route.route, route]));
  for (const { route, methods } of routes) {
    const rule = rules[route];
    if (!rule) {
      problems.push(`${route} (${methods.join(", ")}) has no rule in tests/security/route-rules.ts`);
      continue;
    }
    for (const method of methods) if (!rule[method]) problems.push(`${method} ${route} has no rule`);
  }
  for (const [route, rule] of Object.entries(rules)) {
    const found = built.get(route);
    if (!found) {
      problems.push(`the rule for ${route} names a route the build does not have`);
      continue;
    }
    for (const method of Object.keys(rule)) if (!found.methods.some((builtMethod) => builtMethod === method)) problems.push(`the rule for ${method} ${route} names a method the route does not export`);
  }
  return problems;
}

/** What `caller` should get from a route with `access`. */
export function expectedOutcome(access: Access, caller: Caller, kind: RouteKind): Outcome {
  if (access === "public" || access === "bench" || access === "network") return "allowed";
  if (access === "signature") return "unauthenticated";
  if (caller === "anonymous") return kind === "page" ? "sign-in" : "unauthenticated";
  return hasRole(caller, access) ? "allowed" : "forbidden";
}

/** Reads the access outcome off a response fetched with `redirect: "manual"`. */
export function classifyResponse(status: number, location: string | null): Outcome {
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if (status >= 300 && status < 400 && location) {
    const target = new URL(location, "http://rxwatch.invalid");
    if (target.pathname === "/sign-in") return "sign-in";
    // requirePageViewer sends a signed-in person without the role back here.
    if (target.pathname === "/orders" && target.searchParams.has("denied")) return "forbidden";
  }
  return "allowed";
}

/** Placeholder for dynamic segments: no such record exists, so an allowed call finds nothing and changes nothing. */
export const MISSING_ID = "route-inventory-missing";

export function samplePath(route: string, method: HttpMethod, samples: Record<string, Partial<Record<HttpMethod, string>>>): string {
  return samples[route]?.[method] ?? route.replace(/\[(?:\.\.\.)?[^\]]+\]/g, MISSING_ID);
}
