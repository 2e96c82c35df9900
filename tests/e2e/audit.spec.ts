import { expect, signIn, test, USERS } from "./fixtures";

test("an admin finds a failed sign-in and a settings change in the audit log", async ({ page }) => {
  // A wrong password for an existing account, typed into the real form.
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(USERS.support.email);
  await page.getByLabel("Password").fill("not-the-support-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();

  await signIn(page, "admin");
  // Save the stuck thresholds as they are: a settings change as the settings page makes it (same-origin fetch).
  const status = await page.evaluate(async () => {
    const current = await (await fetch("/api/settings/local/stuckThresholds")).json();
    const saved = await fetch("/api/settings/local/stuckThresholds", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(current) });
    return saved.status;
  });
  expect(status).toBe(200);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit", exact: true })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "settings.update" }).filter({ hasText: USERS.admin.email }).first()).toBeVisible();

  // Filters live in the URL.
  const filters = page.getByRole("form", { name: "Audit filters" });
  await filters.getByLabel("Action").selectOption("auth.sign_in");
  await filters.getByLabel("Outcome").selectOption("failure");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/action=auth\.sign_in/);
  await expect(page).toHaveURL(/outcome=failure/);
  const failed = page.getByRole("row").filter({ hasText: "auth.sign_in" }).filter({ hasText: USERS.support.email }).first();
  await expect(failed).toBeVisible();
  await expect(failed).toContainText("INVALID_EMAIL_OR_PASSWORD");
  await expect(page.getByRole("row").filter({ hasText: "settings.update" })).toHaveCount(0);

  // The export is offered for the same filters.
  await expect(page.getByRole("link", { name: "Export CSV" })).toHaveAttribute("href", /\/api\/audit\/export\?action=auth\.sign_in&outcome=failure&format=csv/);
});

for (const role of ["staff", "support"] as const) {
  test(`${role} has no access to the audit log`, async ({ page }) => {
    await signIn(page, role);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" })).toHaveCount(0);
    await page.goto("/audit");
    await expect(page).toHaveURL(/\/orders\?denied=1/);
    const status = await page.evaluate(async () => (await fetch("/api/audit")).status);
    expect(status).toBe(403);
  });
}
