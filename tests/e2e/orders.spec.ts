import { randomUUID } from "node:crypto";
import { stuckThresholdSettingsSchema } from "@/lib/settings";
import { expect, pharmacyOrderData, sendWebhook, signIn, test } from "./fixtures";

const now = () => Math.floor(Date.now() / 1000);

test("an order walks its lifecycle and the orders page follows live, without reloading", async ({ page, request }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  await signIn(page, "staff");
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  // Survives only as long as the page is not reloaded.
  await page.evaluate(() => Object.assign(window, { rxwatchNoReload: true }));

  let at = now() - 600;
  await sendWebhook(request, "order_created", at, { uid, status: "waiting for doctor", updated_at: at });
  const row = page.locator(`[data-order-uid="${uid}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByRole("img", { name: /Progress: Ordered/ })).toBeVisible();

  const steps: [string, Record<string, unknown>, RegExp][] = [
    ["prescription_approved", { uid: `px-${uid}`, order: { uid } }, /Progress: Prescription approved/],
    ["prescription_signed", { uid: `px-${uid}`, order: { uid } }, /Progress: Prescription signed/],
  ];
  for (const [type, data, expected] of steps) {
    at += 60;
    await sendWebhook(request, type, at, { ...data, updated_at: at });
    await expect(row.getByRole("img", { name: expected })).toBeVisible();
  }
  for (const [status, label] of [
    ["waiting for pharmacy", "Waiting for pharmacy"],
    ["pending review", "Pharmacy reviewing"],
    ["in-progress", "Being prepared"],
    ["ready_for_pickup", "Ready for pickup"],
    ["completed", "Completed"],
  ] as const) {
    at += 60;
    await sendWebhook(request, status === "waiting for pharmacy" ? "pharmacy_order_created" : "pharmacy_order_updated", at, pharmacyOrderData(uid, status, at));
    await expect(row.getByText(label, { exact: true })).toBeVisible();
  }
  expect(await page.evaluate(() => (window as unknown as { rxwatchNoReload?: boolean }).rxwatchNoReload)).toBe(true);
  // Staff never see patient data.
  await expect(page.getByText("Erika")).toHaveCount(0);
});

test("a late stale event does not move the order back", async ({ page, request }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  const base = now() - 1000;
  await signIn(page, "support");
  await sendWebhook(request, "pharmacy_order_created", base, pharmacyOrderData(uid, "waiting for pharmacy", base));
  await sendWebhook(request, "pharmacy_order_updated", base + 200, pharmacyOrderData(uid, "ready_for_pickup", base + 200));
  const row = page.locator(`[data-order-uid="${uid}"]`);
  await expect(row.getByText("Ready for pickup", { exact: true })).toBeVisible();
  await sendWebhook(request, "pharmacy_order_updated", base + 100, pharmacyOrderData(uid, "in-progress", base + 100));

  await page.goto(`/orders/${uid}`);
  const late = page.locator('[data-superseded="true"]');
  await expect(late).toHaveAttribute("data-event-status", "in-progress");
  await expect(late).toContainText("superseded");
  await expect(page.getByTestId("trace-stage")).toHaveText("Shipped / ready");
  await page.goto("/orders");
  await expect(page.locator(`[data-order-uid="${uid}"]`).getByText("Ready for pickup", { exact: true })).toBeVisible();
});

test("a stuck order appears in the stuck filter", async ({ page, request }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  const longAgo = now() - 3 * 86_400;
  await sendWebhook(request, "pharmacy_order_created", longAgo, pharmacyOrderData(uid, "waiting for pharmacy", longAgo));
  await signIn(page, "staff");
  // The box follows the URL, which changes once the click's navigation lands.
  await page.getByLabel(/Stuck only/).click();
  await expect(page).toHaveURL(/stuck=1/);
  const row = page.locator(`[data-order-uid="${uid}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByText("Stuck", { exact: true })).toBeVisible();
  // The filtered view is shareable: the URL alone brings it back.
  await page.goto(page.url());
  await expect(page.getByLabel(/Stuck only/)).toBeChecked();
});

test("the trace page shows the gap for a missing step", async ({ page, request }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  const at = now() - 500;
  await sendWebhook(request, "order_created", at, { uid, status: "waiting for doctor", updated_at: at });
  await sendWebhook(request, "prescription_approved", at + 10, { uid: `px-${uid}`, order: { uid }, updated_at: at + 10 });
  await sendWebhook(request, "pharmacy_order_updated", at + 20, pharmacyOrderData(uid, "ready_for_pickup", at + 20));
  await signIn(page, "support");
  await page.goto(`/orders/${uid}`);
  await expect(page.locator('[data-step="prescription_signed"]')).toHaveAttribute("data-state", "gap");
  await expect(page.locator('[data-step="prescription_signed"]')).toContainText("not received");
  await expect(page.getByText(/no prescription signed, sent to pharmacy, in the pharmacy received/i)).toBeVisible();
});

test("an order in a problem status is claimed, noted and resolved from the attention queue", async ({ page, request }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  await signIn(page, "staff");
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  const at = now() - 120;
  await sendWebhook(request, "order_created", at, { uid, status: "waiting for manual input", updated_at: at });

  // It appears live, without reloading.
  const item = page.getByRole("listitem", { name: `Attention: ${uid}` });
  await expect(item).toBeVisible();
  await expect(item.getByText("Nobody has claimed it")).toBeVisible();

  await item.getByRole("button", { name: "Claim" }).click();
  await expect(item.getByText("Claimed by you")).toBeVisible();

  await item.getByRole("button", { name: "Add note" }).click();
  await item.getByLabel("Note").fill("Patient wrote to erika@example.invalid");
  await item.getByRole("button", { name: "Save note" }).click();
  await expect(item.getByText(/must not hold an e-mail address/)).toBeVisible();
  await item.getByLabel("Note").fill("Called the doctor's office, waiting for a call back");
  await item.getByRole("button", { name: "Save note" }).click();
  await expect(item.getByLabel("Note", { exact: true })).toContainText("Called the doctor's office, waiting for a call back");

  await item.getByRole("button", { name: "Resolve" }).click();
  const dialog = page.getByRole("alertdialog", { name: `Resolve ${uid}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Resolve" }).click();
  await expect(item).toHaveCount(0);
});

test("orders in each of RxScale's problem statuses show under Needs attention, and become stuck after its budget", async ({ page, request }) => {
  const run = randomUUID().slice(0, 6);
  const problemStatuses = ["waiting for manual input", "waiting for payment", "out of stock", "pharmacy not found", "prescription not found"];
  const at = now();
  // The instance's default budget for Needs attention (no one changed it in this suite): "old" is an hour past it.
  const budgetHours = stuckThresholdSettingsSchema.parse({}).needsAttentionHours;
  for (const [index, status] of problemStatuses.entries()) {
    for (const [age, since] of [["fresh", 5 * 60], ["old", (budgetHours + 1) * 3_600]] as const) {
      const uid = `ord-${run}-${age}-${index}`;
      await sendWebhook(request, "order_created", at - since - 60, { uid, status: "waiting for doctor", updated_at: at - since - 60 });
      await sendWebhook(request, "order_updated", at - since, { uid, status, updated_at: at - since });
    }
  }
  await signIn(page, "staff");
  await page.getByRole("group", { name: "Orders per stage" }).getByRole("button", { name: /^Needs attention/ }).click();
  await expect(page).toHaveURL(/stage=needs_attention/);
  // Search matches a whole order uid, so each order is looked up on its own.
  for (const index of problemStatuses.keys()) {
    for (const age of ["fresh", "old"] as const) {
      const uid = `ord-${run}-${age}-${index}`;
      await page.getByLabel("Search orders").fill(uid);
      await page.getByLabel("Search orders").press("Enter");
      await expect(page).toHaveURL(new RegExp(`stage=needs_attention.*q=${uid}|q=${uid}.*stage=needs_attention`));
      const row = page.locator(`[data-order-uid="${uid}"]`);
      await expect(row, `${uid} (${problemStatuses[index]}) under Needs attention`).toBeVisible();
      if (age === "old") await expect(row.getByText("Stuck", { exact: true }), `${uid} stuck`).toBeVisible();
      else await expect(row.getByText("Stuck", { exact: true }), `${uid} not stuck`).toHaveCount(0);
    }
  }
});
