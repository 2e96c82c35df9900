#!/usr/bin/env node
// `npm run test:reliability`: the crash and fault scenarios of tests/reliability
// in their long form (RELIABILITY_SIZE=long unless set; every knob is listed in
// docs/reliability.md), after making sure the production build is current —
// the scenarios run `next start` and would otherwise test stale code.
// Arguments go to vitest, e.g. `npm run test:reliability -- tests/reliability/kill.test.ts`.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureProductionBuild } from "./production-build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
ensureProductionBuild({ requiredRoutes: ["/api/webhooks/rxscale", "/api/health"], log: (message) => console.error(`[test:reliability] ${message}`) });
const result = spawnSync(path.join(root, "node_modules", ".bin", "vitest"), ["run", "--project", "reliability", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, RELIABILITY_SIZE: process.env.RELIABILITY_SIZE ?? "long", NEXT_TELEMETRY_DISABLED: "1" },
});
process.exit(result.status ?? 1);
