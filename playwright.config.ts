import path from "node:path";
import { defineConfig } from "@playwright/test";

/*
 * End-to-end tests run against the production build (`next start`) on a fresh
 * SQLite database. Playwright cannot download its browsers here, so Debian's
 * Chromium is used (scripts/ensure-chromium.mjs installs it; CHROMIUM_PATH
 * overrides). scripts/test.mjs picks a free E2E_PORT before starting this.
 */
const port = Number(process.env.E2E_PORT ?? 3210);
export const E2E_BASE_URL = `http://127.0.0.1:${port}`;
/** Where the servers' output goes (tests/e2e/logged-process.mjs); `npm test` points it at the logs the log scan reads. */
export const E2E_LOG_DIR = path.resolve(process.env.E2E_LOG_DIR ?? path.join("test-results", "logs"));
const emulatorPort = Number(process.env.E2E_EMULATOR_PORT ?? port + 1);
export const E2E_EMULATOR_URL = `http://127.0.0.1:${emulatorPort}`;
/** The Management API key the e2e emulator accepts, with every permission. */
export const E2E_EMULATOR_KEY = "e2e-emulator-key";
/** The token the e2e emulator's /_emulator controls require: the same in every Playwright process of one run. */
export const E2E_EMULATOR_CONTROL_TOKEN = process.env.E2E_EMULATOR_CONTROL_TOKEN ?? `e2e-emulator-control-token-${port}`;
// Every patient the emulator makes up is listed here for `npm test`'s log scan (scripts/log-scan.ts).
const patientsFile = process.env.E2E_PATIENTS_FILE ?? path.resolve("test-results", "seeded-patients.jsonl");

export default defineConfig({
  testDir: "tests/e2e",
  // Cleaned at every start: kept apart from test-results/logs and reports, which scripts/test.mjs writes before this runs.
  outputDir: "test-results/e2e",
  forbidOnly: Boolean(process.env.CI),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  globalSetup: "./tests/e2e/global-setup.ts",
  use: {
    baseURL: E2E_BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
    },
  },
  webServer: [
    {
      command: "node tests/e2e/serve.mjs",
      url: `${E2E_BASE_URL}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      // The server's own output goes to E2E_LOG_DIR; stderr carries only why it could not start.
      stdout: "ignore",
      stderr: "pipe",
      env: { E2E_LOG_DIR },
    },
    {
      // The RxScale stand-in the settings tests connect to: no generated traffic (tests send bursts), fast retries.
      command: "node tests/e2e/emulator.mjs",
      url: `${E2E_EMULATOR_URL}/v1/management/health/`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        E2E_LOG_DIR,
        EMULATOR_PORT: String(emulatorPort),
        EMULATOR_API_KEYS: `${E2E_EMULATOR_KEY}=all`,
        EMULATOR_CONTROL_TOKEN: E2E_EMULATOR_CONTROL_TOKEN,
        EMULATOR_ORDERS_PER_MINUTE: "0",
        EMULATOR_STEP_DELAY_MS: "50",
        EMULATOR_TEST_ON_CREATE: "0",
        EMULATOR_RETRY_BASE_MS: "200",
        EMULATOR_RETRY_MAX_DELAY_MS: "2000",
        EMULATOR_PATIENTS_FILE: patientsFile,
      },
    },
  ],
});
