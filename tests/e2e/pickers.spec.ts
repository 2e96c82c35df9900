import { randomUUID } from "node:crypto";
import { expect, pharmacyOrderData, sendWebhook, signIn, test } from "./fixtures";

const now = () => Math.floor(Date.now() / 1000);

test("the orders page offers statuses and pharmacies seen, with counts, and shows each status readably", async ({ page, request }) => {
  test.setTimeout(90_000);
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  const pharmacy = `Apotheke Picker ${randomUUID().slice(0, 6)}`;
  const at = now() - 300;
  await sendWebhook(request, "pharmacy_order_updated", at, { ...pharmacyOrderData(uid, "in-progress", at), pharmacy: { uid: `ph-${uid}`, display_name: pharmacy } });
  await signIn(page, "staff");
  const row = page.locator(`[data-order-uid="${uid}"]`);
  await expect(row).toBeVisible();

  // Status: the friendly label, the exact RxScale string in the tooltip.
  const badge = row.getByText("Being prepared", { exact: true });
  await expect(badge).toHaveAttribute("title", "RxScale status: in-progress");
  // Each progress segment names its stage; the legend says what they mean.
  await expect(row.locator('li[data-stage="in_pharmacy"]')).toHaveAttribute("title", "5. In the pharmacy — reached");
  await expect(row.locator('li[data-stage="shipped"]')).toHaveAttribute("title", "6. Shipped / ready — not yet");
  const legend = page.getByRole("note", { name: "Progress legend" });
  await expect(legend).toContainText("1. Ordered");
  await expect(legend).toContainText("not received");

  const pharmacyPicker = page.getByLabel("Pharmacy", { exact: true });
  // The server reuses picker counts for 15 s and the page re-reads them every 15 s: a new pharmacy shows within 30 s.
  await expect(pharmacyPicker.locator("option", { hasText: `${pharmacy} · 1` })).toHaveCount(1, { timeout: 35_000 });
  await pharmacyPicker.selectOption(pharmacy);
  await expect(page).toHaveURL(/pharmacy=Apotheke/);
  await expect(row).toBeVisible();
  const statusPicker = page.getByLabel("Status", { exact: true });
  await expect(statusPicker.locator("option", { hasText: /^Being prepared \(in-progress\) · \d+$/ })).toHaveCount(1);
  await statusPicker.selectOption("in-progress");
  await expect(page).toHaveURL(/status=in-progress/);
  await expect(row).toBeVisible();
  await statusPicker.selectOption("");
  await expect(page).not.toHaveURL(/status=/);
});

test("the deliveries page offers event types seen, with counts; the audit actor filter takes the start of an e-mail", async ({ page, request }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  await sendWebhook(request, "order_created", now() - 60, { uid, status: "waiting for doctor", updated_at: now() - 60 });
  await signIn(page, "admin");
  await page.goto("/deliveries");
  const typePicker = page.getByLabel("Event type");
  await expect(typePicker.locator("option", { hasText: /^order_created · [1-9]\d*$/ })).toHaveCount(1);
  await typePicker.selectOption("order_created");
  await expect(page).toHaveURL(/type=order_created/);

  await page.goto("/audit");
  await page.getByLabel("Actor").fill("admin@e2e");
  await page.getByLabel("Actor").press("Enter");
  await expect(page).toHaveURL(/actor=admin%40e2e|actor=admin@e2e/);
  await expect(page.getByRole("cell", { name: "admin@e2e.example" }).first()).toBeVisible();
});
