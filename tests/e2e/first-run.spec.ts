import { expect, signIn, test } from "./fixtures";

test("an admin sees a getting-started checklist ticked from real state, which staff never see and Dismiss removes", async ({ page, browser }) => {
  await signIn(page, "admin");
  // The checklist shows only while a step is open: without an API key "Connect RxScale" is (settings.spec.ts saves one again).
  const connection = (await (await page.request.get("/api/settings/connection")).json()) as { settings: unknown; apiKey: { isSet: boolean } };
  if (connection.apiKey.isSet) {
    const cleared = await page.request.put("/api/settings/connection", { data: { settings: connection.settings, apiKey: null }, headers: { origin: new URL(page.url()).origin } });
    expect(cleared.status()).toBe(200);
  }
  await page.goto("/orders");

  const checklist = page.getByRole("region", { name: "Getting started" });
  await expect(checklist.locator('[data-step="connect"]')).toHaveAttribute("data-done", "false");
  // Users beyond the first admin exist (the suite's global set-up), so "Invite staff" is already done.
  await expect(checklist.locator('[data-step="invite"]')).toHaveAttribute("data-done", "true");
  await expect(checklist).toContainText(/\d of 4 done/);
  await checklist.getByRole("link", { name: "Invite staff" }).click();
  await expect(page).toHaveURL(/\/settings\/access$/);

  await checklist.getByRole("button", { name: "Dismiss" }).click();
  await expect(checklist).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();
  await expect(checklist).toHaveCount(0);

  const staff = await browser.newPage();
  await signIn(staff, "staff");
  await expect(staff.getByRole("heading", { name: "Orders", exact: true })).toBeVisible();
  await expect(staff.getByRole("region", { name: "Getting started" })).toHaveCount(0);
  await staff.close();
});
