import { expect, test as base, type Page } from "@playwright/test";
import type { Role } from "@/lib/roles";

export const PASSWORD = "a-long-e2e-passphrase";
export const ADMIN = { email: "admin@e2e.example", password: "first-passphrase-e2e" };
export const USERS: Record<Role, { email: string; password: string }> = {
  admin: ADMIN,
  support: { email: "support@e2e.example", password: PASSWORD },
  staff: { email: "staff@e2e.example", password: PASSWORD },
};

/** Signs in through the real form, as a person would. */
export async function signIn(page: Page, role: Role): Promise<void> {
  const user = USERS[role];
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/orders/);
}

export const test = base;
export { expect };
