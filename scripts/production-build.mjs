// The production build the benchmarks measure: rebuilt when missing, when it
// lacks a route the caller needs, or when any source is newer than it (a
// stale build would measure old code).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

/** Inputs of the build. */
const SOURCES = ["app", "components", "lib", "server", "prisma/generated", "public", "proxy.ts", "instrumentation.ts", "next.config.js", "package-lock.json", "postcss.config.mjs", "tsconfig.json"];

function newestSourceMtimeMs(entry = "") {
  const full = path.join(root, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (stat.isFile()) return stat.mtimeMs;
  return readdirSync(full).reduce((newest, child) => Math.max(newest, newestSourceMtimeMs(path.join(entry, child))), stat.mtimeMs);
}

function isBuildUsable(requiredRoutes) {
  const buildId = path.join(root, ".next", "BUILD_ID");
  const manifest = path.join(root, ".next", "app-path-routes-manifest.json");
  if (!existsSync(buildId) || !existsSync(manifest)) return false;
  const routes = Object.values(JSON.parse(readFileSync(manifest, "utf8")));
  if (!requiredRoutes.every((route) => routes.includes(route))) return false;
  const builtAt = statSync(buildId).mtimeMs;
  return SOURCES.every((source) => newestSourceMtimeMs(source) <= builtAt);
}

/** Builds unless a current build with `requiredRoutes` exists (or `rebuild`); exits the process when the build fails. */
export function ensureProductionBuild({ requiredRoutes, rebuild = false, log }) {
  if (!rebuild && isBuildUsable(requiredRoutes)) return;
  log("building the production bundle (next build: none yet, or sources changed since)…");
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: ["ignore", process.stderr, process.stderr], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
