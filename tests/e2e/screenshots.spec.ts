import { mkdirSync } from "node:fs";
import { expect, signIn, test } from "./fixtures";

/*
 * The README's screenshots, made by the suite so they stay current: the
 * orders page light and dark, on a phone, and Insights. Written to
 * docs/screenshots/ (committed); run the suite to refresh them.
 */

const DIRECTORY = "docs/screenshots";

test("README screenshots: orders light, dark and on a phone, and Insights", async ({ page }) => {
  mkdirSync(DIRECTORY, { recursive: true });
  await signIn(page, "admin");
  for (const theme of ["light", "dark"] as const) {
    await page.getByLabel("Theme").selectOption(theme);
    await expect(page.locator("html")).toHaveClass(new RegExp(`\\b${theme}\\b`));
    await page.goto("/orders");
    await expect(page.getByRole("note", { name: "Progress legend" })).toBeVisible();
    // The legend shows before the list has loaded: wait for the orders, or the picture is an empty page.
    await expect(page.locator("[data-order-uid]").first()).toBeVisible();
    await page.screenshot({ path: `${DIRECTORY}/orders-${theme}.png` });
  }
  await page.getByLabel("Theme").selectOption("light");
  await page.goto("/insights");
  await expect(page.getByRole("img", { name: "Orders per day by outcome" })).toBeVisible();
  await page.screenshot({ path: `${DIRECTORY}/insights-light.png`, fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/orders");
  await expect(page.getByRole("heading", { name: "Orders" })).toBeVisible();
  await expect(page.locator("[data-order-uid]").first()).toBeVisible();
  await page.screenshot({ path: `${DIRECTORY}/orders-phone.png` });
});
