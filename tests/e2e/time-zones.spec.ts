import { expect, signIn, test, USERS } from "./fixtures";

// A browser far from UTC, with a half-hour offset, so the zone shown cannot be an accident.
test.use({ timezoneId: "Asia/Kolkata" });

const INSTANT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} /;

test("times carry their zone, default to the browser's, and the account menu switches to UTC for good", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/audit");
  const firstTime = page.getByRole("row").filter({ hasText: USERS.admin.email }).first().locator("time");
  await expect(firstTime).toHaveText(new RegExp(`${INSTANT.source}UTC\\+5:30$`));

  await page.getByRole("button", { name: /Account menu/ }).click();
  await expect(page.getByLabel("Time zone")).toHaveValue("browser");
  await page.getByLabel("Time zone").selectOption("UTC");
  await expect(firstTime).toHaveText(new RegExp(`${INSTANT.source}UTC$`));

  // The choice is kept for the next visit.
  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: USERS.admin.email }).first().locator("time")).toHaveText(new RegExp(`${INSTANT.source}UTC$`));
});
