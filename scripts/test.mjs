#!/usr/bin/env node
// `npm test`: the whole suite, in the order CI needs it. Every stage runs even
// after a failure and is logged to test-results/logs/<stage>.log (the log
// scan reads them); a stage that could not run is a warning, not a pass.
// See docs/development.md#the-test-suite.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureChromium } from "./ensure-chromium.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const reports = path.join(root, "test-results", "reports");
const logs = path.join(root, "test-results", "logs");
// The end-to-end emulator lists the patients it made up here (E2E_PATIENTS_FILE, see playwright.config.ts).
const seededPatients = path.join(root, "test-results", "seeded-patients.jsonl");
for (const directory of [reports, logs]) {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
}
rmSync(seededPatients, { force: true });
const bin = (name) => path.join(root, "node_modules", ".bin", name);

const results = [];
let testsPassed = 0;
let testsFailed = 0;
let testsSkipped = 0;

/** Exit code of a stage that could not run at all (reported as a warning). */
const COULD_NOT_RUN = 2;

/**
 * Runs one stage, printing its output live and teeing it to
 * test-results/logs/<stage>.log. Resolves to true when it passed.
 */
async function run(stage, command, args, { env = {}, countFrom, warnOnCouldNotRun = false } = {}) {
  console.log(`\n━━ ${stage} ━━ ${[path.basename(command), ...args].join(" ")}`);
  const started = Date.now();
  const log = createWriteStream(path.join(logs, `${stage.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.log`));
  // Output is piped now, so children would drop their colours; keep them for a terminal (the log scan ignores colour codes).
  const colour = process.stdout.isTTY ? { FORCE_COLOR: "1" } : {};
  const status = await new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ["inherit", "pipe", "pipe"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...colour, ...env } });
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      log.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      process.stderr.write(chunk);
      log.write(chunk);
    });
    child.on("error", (error) => {
      log.write(`${error.message}\n`);
      resolve(null);
    });
    child.on("close", (code) => resolve(code));
  });
  await new Promise((resolve) => log.end(resolve));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (warnOnCouldNotRun && status === COULD_NOT_RUN) {
    results.push({ stage, ok: true, seconds, warning: "could not run — see its output" });
    return true;
  }
  const ok = status === 0;
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

await run("lint", bin("eslint"), ["--max-warnings=0", "."]);
await run("typecheck", bin("tsc"), ["--noEmit"]);
await run("dependency audit", process.execPath, [path.join(root, "scripts", "dependency-audit.mjs")], { warnOnCouldNotRun: true });
await vitest("unit");
await vitest("integration-sqlite");
await vitest("integration-postgresql");
const isBuilt = await run("build", process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"]);
if (isBuilt) {
  const chromium = await ensureChromium();
  const report = path.join(reports, "playwright.json");
  await run("end-to-end", bin("playwright"), ["test", "--reporter=list,json,html"], {
    env: { CHROMIUM_PATH: chromium, E2E_PORT: process.env.E2E_PORT ?? String(await freePort()), PLAYWRIGHT_JSON_OUTPUT_NAME: report, PLAYWRIGHT_HTML_OPEN: "never", E2E_PATIENTS_FILE: seededPatients },
    countFrom: report,
  });
} else {
  results.push({ stage: "end-to-end", ok: false, seconds: "0.0", note: "skipped: build failed" });
}
// Crash and fault scenarios against the build, short form (docs/reliability.md; long form: npm run test:reliability).
if (isBuilt) {
  const report = path.join(reports, "vitest-reliability.json");
  await run("reliability (short)", bin("vitest"), ["run", "--project", "reliability", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], { env: { RELIABILITY_SIZE: "short" }, countFrom: report });
} else {
  results.push({ stage: "reliability (short)", ok: false, seconds: "0.0", note: "skipped: build failed" });
}
// Last, so that it reads every other stage's log.
await run("log scan", process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "scripts", "log-scan.ts"), logs, seededPatients]);

console.log("\n━━ summary ━━");
for (const { stage, ok, seconds, note, warning } of results) console.log(`${warning ? "⚠" : ok ? "✓" : "✗"} ${stage.padEnd(28)} ${seconds.padStart(6)} s${note ? `  (${note})` : ""}${warning ? `  (${warning})` : ""}`);
const failedStages = results.filter((result) => !result.ok).length;
const warnedStages = results.filter((result) => result.warning).length;
console.log(`stages: ${results.length - failedStages - warnedStages} passed, ${failedStages} failed`);
if (warnedStages > 0) console.log(`stages that could not run (neither passed nor failed): ${warnedStages}`);
console.log(`tests: ${testsPassed} passed, ${testsFailed} failed, ${testsSkipped} skipped`);
process.exit(failedStages > 0 ? 1 : 0);
