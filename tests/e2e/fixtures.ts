import { createHmac } from "node:crypto";
import { expect, test as base, type APIRequestContext, type Page } from "@playwright/test";
import type { Role } from "@/lib/roles";
import { FIXTURE_PATIENT } from "../fixtures/rxscale-webhooks";

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

export const test = base;
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
