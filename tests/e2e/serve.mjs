// Starts the production build for the end-to-end suite on a throwaway SQLite
// database with a known first admin, its output logged to a file
// (logged-process.mjs). Run by Playwright's webServer.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runLogged } from "./logged-process.mjs";

const dir = mkdtempSync(path.join(os.tmpdir(), "rxwatch-e2e-"));
const port = process.env.E2E_PORT ?? "3210";
runLogged("e2e-server", process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", port, "-H", "127.0.0.1"], {
  ...process.env,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  // As npm start and the Docker image run it: RxWatch drains on SIGTERM instead of Next.js exiting at once.
  NEXT_MANUAL_SIG_HANDLE: "1",
  DATABASE_URL: `file:${path.join(dir, "rxwatch.db")}`,
  RXWATCH_SECRET_KEY: "e2e-secret-key-that-is-long-enough-0123456789",
  RXWATCH_ADMIN_EMAIL: "admin@e2e.example",
  RXWATCH_ADMIN_PASSWORD: "first-passphrase-e2e",
  // The suites send their own traffic; the demo emulator would add orders they do not expect.
  RXWATCH_DEMO: "0",
  RXSCALE_SIGNING_SECRETS: "whsec_e2e_signing_secret_0001",
  // The suite signs in many times from one address.
  RXWATCH_LOGIN_MAX_ATTEMPTS: "1000",
});
