#!/usr/bin/env node
// `npm start`: builds the production bundle when the sources changed since the
// last build, then serves it on PORT (default 3000). Migrations and the first
// admin are handled by the server itself at start-up (instrumentation.ts).
import { spawnSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ALLOCATOR_ENV } from "./server-process-env.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const stampFile = path.join(root, ".next", "rxwatch-build-stamp");
const SOURCES = ["app", "components", "lib", "server", "prisma/generated", "public", "proxy.ts", "instrumentation.ts", "next.config.js", "package-lock.json", "postcss.config.mjs", "tsconfig.json"];

function* files(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return;
  const stat = statSync(full);
  if (stat.isFile()) {
    yield `${entry}:${stat.size}:${stat.mtimeMs}`;
    return;
  }
  for (const child of readdirSync(full).sort()) yield* files(path.join(entry, child));
}

function sourceStamp() {
  const hash = createHash("sha256");
  for (const source of SOURCES) for (const line of files(source)) hash.update(line + "\n");
  return hash.digest("hex");
}

const stamp = sourceStamp();
const isBuilt = existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp;
if (!isBuilt || process.argv.includes("--rebuild")) {
  console.log("Building RxWatch (first start or sources changed)…");
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeFileSync(stampFile, stamp);
}

const port = process.env.PORT ?? "3000";
const server = spawn(process.execPath, [nextBin, "start", "-p", port, ...(process.env.HOSTNAME_BIND ? ["-H", process.env.HOSTNAME_BIND] : [])], {
  cwd: root,
  stdio: "inherit",
  // RxWatch handles SIGTERM/SIGINT itself (server/core/shutdown.ts): drains ingest, gives back leases, then exits 0.
  env: { ...process.env, ...ALLOCATOR_ENV, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", NEXT_MANUAL_SIG_HANDLE: "1" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
