import { createHmac } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test as base, type APIRequestContext, type Page } from "@playwright/test";
import type { Role } from "@/lib/roles";
import { FIXTURE_PATIENT } from "../fixtures/rxscale-webhooks";
import { E2E_EMULATOR_CONTROL_TOKEN, E2E_EMULATOR_KEY, E2E_EMULATOR_URL, E2E_LOG_DIR } from "../../playwright.config";

export const EMULATOR_URL = E2E_EMULATOR_URL;
export const EMULATOR_KEY = E2E_EMULATOR_KEY;
/** The emulator's /_emulator controls take a bearer token (docs/emulator.md#controls). */
export const EMULATOR_CONTROLS = { headers: { authorization: `Bearer ${E2E_EMULATOR_CONTROL_TOKEN}` } };

export const PASSWORD = "a-long-e2e-passphrase";
export const ADMIN = { email: "admin@e2e.example", password: "first-passphrase-e2e" };
export const USERS: Record<Role, { email: string; password: string }> = {
  admin: ADMIN,
  support: { email: "support@e2e.example", password: PASSWORD },
  staff: { email: "staff@e2e.example", password: PASSWORD },
};

/** Signs in through the real form, as a person would; `origin` picks another server than the suite's. */
export async function signIn(page: Page, role: Role, origin = ""): Promise<void> {
  const user = USERS[role];
  await page.goto(`${origin}/sign-in`);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/orders/);
}

/** The logs of the servers Playwright starts (tests/e2e/logged-process.mjs). */
const SERVER_LOGS = ["e2e-server.log", "e2e-emulator.log"].map((name) => path.join(E2E_LOG_DIR, name));

/**
 * Appends a server's output to E2E_LOG_DIR/<name>.log, for servers a test starts itself: the log scan reads that
 * directory, so their lines are scanned like the suite servers' (tests/e2e/logged-process.mjs).
 */
export function serverLogWriter(name: string): (chunk: Buffer) => void {
  mkdirSync(E2E_LOG_DIR, { recursive: true });
  const file = path.join(E2E_LOG_DIR, `${name}.log`);
  return (chunk) => appendFileSync(file, chunk);
}

const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

/**
 * The servers log to files, not the terminal; a failing test gets the lines
 * they wrote while it ran, printed and attached to its report.
 */
export const test = base.extend<{ serverLogOnFailure: void }>({
  serverLogOnFailure: [
    // Playwright reads a fixture's dependencies from its first parameter, so it must be a (here empty) pattern.
    async ({}, use, testInfo) => {
      const before = SERVER_LOGS.map(sizeOf);
      await use();
      if (testInfo.status === testInfo.expectedStatus) return;
      for (const [index, file] of SERVER_LOGS.entries()) {
        const text = existsSync(file) ? readFileSync(file).subarray(before[index] ?? 0).toString("utf8").trimEnd() : "";
        if (text === "") continue;
        console.error(`── ${path.basename(file)} while this test ran ──\n${text}`);
        await testInfo.attach(path.basename(file), { body: text, contentType: "text/plain" });
      }
    },
    { auto: true },
  ],
});
export { expect };

export const SIGNING_SECRET = "whsec_e2e_signing_secret_0001";

/** Sends a webhook signed as RxScale would, and checks it was acknowledged. */
export async function sendWebhook(request: APIRequestContext, eventType: string, timestamp: number, data: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({ event_type: eventType, timestamp, payload_version: "1", data });
  const signature = createHmac("sha256", Buffer.from(SIGNING_SECRET, "utf8")).update(body).digest("hex");
  const response = await request.post("/api/webhooks/rxscale", { data: body, headers: { "content-type": "application/json", "x-webhook-event": eventType, "x-webhook-signature": signature } });
  expect(response.status(), await response.text()).toBe(200);
}

/** A pharmacy order payload as in docs/rxscale.md#example-pharmacy-order (with made-up patient data). */
export function pharmacyOrderData(orderUid: string, status: string, updatedAt: number): Record<string, unknown> {
  return {
    uid: `po-${orderUid}`,
    status,
    name: `#${orderUid.slice(-4)}`,
    updated_at: updatedAt,
    created_at: updatedAt,
    pharmacy: { uid: "ph-e2e", display_name: "Apotheke E2E" },
    order: { uid: orderUid },
    patient_data: { uid: `pat-${orderUid}`, display_name: FIXTURE_PATIENT.name, email: FIXTURE_PATIENT.email, date_of_birth: FIXTURE_PATIENT.dateOfBirth },
  };
}
