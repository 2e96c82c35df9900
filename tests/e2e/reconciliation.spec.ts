import type { Page } from "@playwright/test";
import { EMULATOR_CONTROLS, EMULATOR_KEY, EMULATOR_URL, expect, signIn, test } from "./fixtures";

/*
 * RxScale's emulator moves orders on while RxWatch hears nothing of them (no
 * subscription yet), so a reconciliation run finds them missing; an admin
 * fills them from RxScale, and an order's trace then shows steps read from
 * RxScale's API. Also on a 390 px phone.
 */

test.describe.configure({ mode: "serial" });

/** Elements reaching past the viewport's right edge, other than those inside a container that scrolls sideways by itself. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5 && !element.parentElement?.closest(".overflow-x-auto"))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}${element.getAttribute("data-testid") ? `[${element.getAttribute("data-testid")}]` : ""} "${(element.textContent ?? "").slice(0, 40)}" ${Math.round(element.getBoundingClientRect().right)}px`),
  );
}

test("a run shows its counts, an admin fills from RxScale, and the trace shows a step read from RxScale's API", async ({ page, request }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "admin");
  const origin = new URL(page.url()).origin;
  const saved = await page.request.put("/api/settings/connection", {
    headers: { origin },
    data: { settings: { environment: "custom", customBaseUrl: EMULATOR_URL, webhookTargetUrl: `${origin}/api/webhooks/rxscale`, trailingSlash: true, deleteUidPlacement: "path" }, apiKey: EMULATOR_KEY },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  expect((await request.post(`${EMULATOR_URL}/_emulator/burst`, { ...EMULATOR_CONTROLS, data: { count: 40 } })).status()).toBe(200);

  await page.goto("/reconciliation");
  await expect(page.getByRole("heading", { name: "Reconciliation", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Run now" }).click();
  const latest = page.getByTestId("reconciliation-run").first();
  await expect(latest).toHaveAttribute("data-state", "completed", { timeout: 30_000 });
  await expect(latest.locator('[data-count="missing"]')).not.toHaveText("0");
  await expect(latest.locator('[data-count="filled"]')).toHaveText("0");
  await expect(page.getByTestId("difference").first()).toContainText("Missing in RxWatch");
  await expect(page.getByTestId("difference").first()).toContainText("Likely cause");
  expect(await overflowing(page)).toEqual([]);

  await page.getByRole("button", { name: "Fill from RxScale" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Fill from RxScale?" });
  await dialog.getByRole("button", { name: "Fill from RxScale" }).click();
  await expect(page.getByTestId("reconciliation-run")).toHaveCount(2);
  await expect(latest).toHaveAttribute("data-state", "completed", { timeout: 30_000 });
  await expect(latest.locator('[data-count="filled"]')).not.toHaveText("0");

  // An order RxScale declined ends without a timeline step to label (its events still say "from RxScale's API"), and
  // the emulator declines some orders at random: open a filled order that was not declined.
  const filled = page.getByTestId("difference").filter({ hasText: "filled from RxScale" }).filter({ hasNotText: /declined/i }).first();
  await filled.getByRole("link").click();
  await expect(page).toHaveURL(/\/orders\/[^/]+$/);
  await expect(page.getByRole("list", { name: "Lifecycle timeline" }).getByTestId("read-from-rxscale").first()).toContainText(/from RxScale's API at .*UTC.*, no webhook received/);
  await expect(page.locator('[data-source="reconciliation"]').first()).toBeVisible();

  await page.getByRole("button", { name: "Check this order against RxScale" }).click();
  await expect(page.getByTestId("order-check")).toContainText("In sync");
  expect(await overflowing(page)).toEqual([]);
});
