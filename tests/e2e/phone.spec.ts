import type { Page } from "@playwright/test";
import { ROUTE_RULES } from "../security/route-rules";
import { expect, pharmacyOrderData, sendWebhook, signIn, test } from "./fixtures";

/*
 * Every page of the route inventory on a 390 × 844 phone: none may be wider
 * than the screen (no sideways scrolling). Pages come from
 * tests/security/route-rules.ts, so a new page is checked without being
 * listed here; a new dynamic page needs a sample below.
 */

const PHONE = { width: 390, height: 844 };
const ORDER_UID = `ord-phone-${Date.now()}`;
const SAMPLE_SEGMENTS: Record<string, string> = { "[uid]": ORDER_UID };
const PAGES = Object.keys(ROUTE_RULES).filter((route) => !route.startsWith("/api/"));
const PUBLIC_PAGES = PAGES.filter((route) => ROUTE_RULES[route]?.GET === "public");

function samplePath(route: string): string {
  return route.replace(/\[[^\]]+\]/g, (segment) => {
    const sample = SAMPLE_SEGMENTS[segment];
    if (!sample) throw new Error(`phone.spec.ts needs a sample value for ${segment} in ${route}`);
    return encodeURIComponent(sample);
  });
}

async function pageWidth(page: Page): Promise<number> {
  // Whatever renders after the skeleton (lists, charts) is what could be too wide.
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  await expect(page.locator("h1").first()).toBeVisible();
  return page.evaluate(() => document.documentElement.scrollWidth);
}

test.use({ viewport: PHONE });

test.beforeAll(async ({ request }) => {
  const at = Math.floor(Date.now() / 1000);
  await sendWebhook(request, "pharmacy_order_created", at, pharmacyOrderData(ORDER_UID, "waiting for pharmacy", at));
});

test("no signed-in page scrolls sideways on a 390 px phone", async ({ page }) => {
  await signIn(page, "admin");
  const tooWide: string[] = [];
  for (const route of PAGES.filter((candidate) => !PUBLIC_PAGES.includes(candidate))) {
    const path = samplePath(route);
    await page.goto(path);
    const width = await pageWidth(page);
    if (width > PHONE.width) tooWide.push(`${path}: ${width} px`);
  }
  expect(tooWide).toEqual([]);
});

test("the public pages fit a 390 px phone too", async ({ page }) => {
  for (const route of PUBLIC_PAGES) {
    await page.goto(samplePath(route));
    expect(await pageWidth(page), route).toBeLessThanOrEqual(PHONE.width);
  }
});

test("on a phone the navigation folds into a menu and orders and deliveries are cards with status, age and pharmacy", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/orders");
  await expect(page.getByRole("navigation", { name: "Main", exact: true })).toBeHidden();
  await page.getByRole("button", { name: /^Menu/ }).click();
  const menu = page.getByRole("navigation", { name: "Main menu" });
  await menu.getByRole("link", { name: "Deliveries" }).click();
  await expect(page).toHaveURL(/\/deliveries/);
  await expect(menu).toBeHidden();

  const delivery = page.locator("[data-delivery-id]").filter({ hasText: ORDER_UID });
  await expect(delivery).toContainText("accepted");
  await expect(delivery).toContainText("pharmacy_order_created");
  await expect(delivery).toContainText(`pharmacy order po-${ORDER_UID}`);
  await expect(delivery.locator("time")).toBeVisible();

  await page.goto("/orders");
  const order = page.locator(`[data-order-uid="${ORDER_UID}"]`);
  await expect(order).toContainText("Apotheke E2E");
  await expect(order).toContainText(/waiting for pharmacy/i);
  await expect(order).toContainText(/Age \d/);
  const box = await order.boundingBox();
  expect(box?.width ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(PHONE.width);
});
