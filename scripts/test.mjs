#!/usr/bin/env node
// `npm test`: the whole suite, in the order CI needs it — lint, typecheck,
// unit, integration on SQLite, integration on PostgreSQL (a throwaway cluster
// unless DATABASE_URL_TEST_PG is set), production build, end-to-end in
// Chromium (installed from Debian when missing and running as root), crash and
// fault scenarios against the build (short form). Every
// stage runs even after a failure, so one run shows everything that is wrong;
// the exit code is non-zero when any stage failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureChromium } from "./ensure-chromium.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const reports = path.join(root, "test-results", "reports");
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const bin = (name) => path.join(root, "node_modules", ".bin", name);

const results = [];
let testsPassed = 0;
let testsFailed = 0;
let testsSkipped = 0;

function run(stage, command, args, { env = {}, countFrom } = {}) {
  console.log(`\n━━ ${stage} ━━ ${[path.basename(command), ...args].join(" ")}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  const ok = result.status === 0;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ stage, ok, seconds });
  if (countFrom && existsSync(countFrom)) countTests(countFrom);
  return ok;
}

/** Adds the counts of a Vitest or Playwright JSON report to the totals. */
function countTests(file) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  if (typeof report.numPassedTests === "number") {
    testsPassed += report.numPassedTests;
    testsFailed += report.numFailedTests;
    testsSkipped += report.numPendingTests + (report.numTodoTests ?? 0);
  } else if (report.stats) {
    testsPassed += report.stats.expected + report.stats.flaky;
    testsFailed += report.stats.unexpected;
    testsSkipped += report.stats.skipped;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const vitest = (project) => {
  const report = path.join(reports, `vitest-${project}.json`);
  return run(`${project} tests`, bin("vitest"), ["run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], { countFrom: report });
};

run("lint", bin("eslint"), ["--max-warnings=0", "."]);
run("typecheck", bin("tsc"), ["--noEmit"]);
vitest("unit");
vitest("integration-sqlite");
vitest("integration-postgresql");
const isBuilt = run("build", process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"]);
if (isBuilt) {
  const chromium = await ensureChromium();
  const report = path.join(reports, "playwright.json");
  run("end-to-end", bin("playwright"), ["test", "--reporter=list,json,html"], {
    env: { CHROMIUM_PATH: chromium, E2E_PORT: String(await freePort()), PLAYWRIGHT_JSON_OUTPUT_NAME: report, PLAYWRIGHT_HTML_OPEN: "never" },
    countFrom: report,
  });
} else {
  results.push({ stage: "end-to-end", ok: false, seconds: "0.0", note: "skipped: build failed" });
}
// Crash and fault scenarios against the build, short form (docs/reliability.md; long form: npm run test:reliability).
if (isBuilt) {
  const report = path.join(reports, "vitest-reliability.json");
  run("reliability (short)", bin("vitest"), ["run", "--project", "reliability", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], { env: { RELIABILITY_SIZE: "short" }, countFrom: report });
} else {
  results.push({ stage: "reliability (short)", ok: false, seconds: "0.0", note: "skipped: build failed" });
}

console.log("\n━━ summary ━━");
for (const { stage, ok, seconds, note } of results) console.log(`${ok ? "✓" : "✗"} ${stage.padEnd(28)} ${seconds.padStart(6)} s${note ? `  (${note})` : ""}`);
const failedStages = results.filter((result) => !result.ok).length;
console.log(`stages: ${results.length - failedStages} passed, ${failedStages} failed`);
console.log(`tests: ${testsPassed} passed, ${testsFailed} failed, ${testsSkipped} skipped`);
process.exit(failedStages > 0 ? 1 : 0);
