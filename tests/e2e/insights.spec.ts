import { randomUUID } from "node:crypto";
import { expect, pharmacyOrderData, sendWebhook, signIn, test } from "./fixtures";

const HOUR = 3600;

/** A whole lifecycle for one order at `pharmacy`, the first event `hoursAgo` hours ago, one hour per step. */
async function sendLifecycle(request: Parameters<typeof sendWebhook>[0], pharmacy: string, hoursAgo: number): Promise<string> {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  let at = Math.floor(Date.now() / 1000) - hoursAgo * HOUR;
  const atPharmacy = (status: string) => ({ ...pharmacyOrderData(uid, status, at), pharmacy: { uid: `ph-${pharmacy}`, display_name: pharmacy } });
  await sendWebhook(request, "order_created", at, { uid, status: "waiting for doctor", updated_at: at });
  for (const type of ["prescription_approved", "prescription_signed"]) {
    at += HOUR;
    await sendWebhook(request, type, at, { uid: `px-${uid}`, order: { uid }, updated_at: at });
  }
  for (const status of ["waiting for pharmacy", "in-progress", "ready_for_pickup", "completed"]) {
    at += HOUR;
    await sendWebhook(request, status === "waiting for pharmacy" ? "pharmacy_order_created" : "pharmacy_order_updated", at, atPharmacy(status));
  }
  return uid;
}

test("Insights draws every chart from seeded orders, keeps its filters in the URL and follows new orders live", async ({ page, request }) => {
  test.setTimeout(90_000);
  const pharmacy = `Apotheke Insights ${randomUUID().slice(0, 6)}`;
  await sendLifecycle(request, pharmacy, 30);
  await signIn(page, "staff");
  await page.getByRole("navigation").getByRole("link", { name: "Insights" }).click();
  await expect(page).toHaveURL(/\/insights$/);

  await page.getByLabel("Pharmacy", { exact: true }).selectOption(pharmacy);
  await expect(page).toHaveURL(new RegExp(`pharmacy=${encodeURIComponent(pharmacy).replaceAll("%20", "(\\+|%20)")}`));
  for (const name of ["Orders per day by outcome", "Hours spent in each stage, median and 90th percentile", "Hours from order to shipped per pharmacy, median and 90th percentile", "Orders reaching each stage", "Orders that became stuck per day"]) {
    const chart = page.getByRole("img", { name });
    await expect(chart).toBeVisible();
    // Recharts drew the axes and bars as SVG, from the data.
    await expect(chart.locator("svg .recharts-cartesian-axis").first()).toBeAttached();
  }
  await expect(page.getByRole("img", { name: "Orders reaching each stage" }).locator(".recharts-bar-rectangle").first()).toBeAttached();

  const funnel = page.getByRole("table", { name: "Funnel from ordered to completed" });
  await expect(funnel.getByRole("row", { name: /^Completed 1 0 0$/ })).toBeVisible();
  const scorecards = page.getByRole("table", { name: "Pharmacy scorecards" });
  await expect(scorecards.getByRole("row", { name: new RegExp(`^${pharmacy} 1 `) })).toContainText("0.0 %");
  // An hour in each stage, read back from the per-order timings (estimates within ±12 %).
  await expect(page.getByRole("table", { name: "Time spent in each stage" }).getByRole("row", { name: /^All pharmacies/ })).toContainText(/1(\.\d)? h/);

  // Live: a new order at this pharmacy appears without reloading.
  await page.evaluate(() => Object.assign(window, { rxwatchNoReload: true }));
  await sendLifecycle(request, pharmacy, 20);
  // Insights refetches at most every few seconds during a burst of order notices (components/queries/live.tsx).
  await expect(funnel.getByRole("row", { name: /^Completed 2 0 0$/ })).toBeVisible({ timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { rxwatchNoReload?: boolean }).rxwatchNoReload)).toBe(true);

  await page.getByLabel("Orders started in").selectOption("7d");
  await expect(page).toHaveURL(/range=7d/);
  await page.reload();
  await expect(page.getByLabel("Orders started in")).toHaveValue("7d");
  await expect(page.getByLabel("Pharmacy", { exact: true })).toHaveValue(pharmacy);
  // Counts and durations only: staff never see patient data here.
  await expect(page.getByText("Erika")).toHaveCount(0);
});
