import { randomUUID } from "node:crypto";
import { expect, sendWebhook, signIn, test } from "./fixtures";

/*
 * Payload drift as a person sees it. A type RxWatch never saw is learned
 * silently from its first deliveries (the detector's LEARNING_EVENTS, 20);
 * then RxScale adds a field. The failures page shows one "payload changed"
 * group with a masked example, an admin marks it expected, and the event
 * catalogue lists the type with the new field — on a phone's width too.
 */

const LEARNING_EVENTS = 20;
const now = () => Math.floor(Date.now() / 1000);

test("a new field raises one payload change; the admin marks it expected and the catalogue lists the type", async ({ page, request }) => {
  // The failures page re-reads every 10 s; the group appears once the worker has processed the 21st event.
  test.setTimeout(90_000);
  const eventType = `e2e_drift_${randomUUID().slice(0, 8)}`;
  const base = now() - 600;
  for (let index = 0; index < LEARNING_EVENTS; index++) {
    await sendWebhook(request, eventType, base + index, { uid: `drift-${index}-${randomUUID().slice(0, 6)}`, status: "init", updated_at: base + index, patient_data: { display_name: "Erika Drift" } });
  }
  await sendWebhook(request, eventType, base + LEARNING_EVENTS, { uid: `drift-new-${randomUUID().slice(0, 6)}`, status: "init", updated_at: base + LEARNING_EVENTS, patient_data: { display_name: "Erika Drift" }, courier_note: "leave at the door" });

  await signIn(page, "admin");
  await page.getByRole("link", { name: "Failures" }).click();
  const group = page.getByRole("article", { name: "RxScale's payload changed: new field" }).filter({ hasText: eventType });
  await expect(group).toHaveCount(1, { timeout: 30_000 });
  await expect(group.getByTestId("likely-cause")).toContainText(`data.courier_note (string)`);
  await group.getByText("Example payload (masked)").click();
  await expect(group.locator("pre")).toContainText("‹");
  // The example is masked: neither the patient's name nor the new field's value is shown.
  await expect(group.locator("pre")).not.toContainText("Erika");
  await expect(group.locator("pre")).not.toContainText("leave at the door");

  await group.getByRole("button", { name: "Mark expected" }).click();
  await page.getByRole("alertdialog", { name: "Mark this payload change expected?" }).getByRole("button", { name: "Mark expected" }).click();
  // Resolved groups are listed only on request.
  await page.getByLabel(/^Show resolved/).check();
  await expect(group).toHaveAttribute("data-state", "resolved");
  await expect(group.getByTestId("likely-cause")).toContainText("Marked expected by");
  await expect(group.getByRole("button", { name: "Mark expected" })).toHaveCount(0);

  await page.setViewportSize({ width: 390, height: 844 });
  // On a phone the navigation is folded into the Menu button.
  await page.getByRole("button", { name: /^Menu/ }).click();
  await page.getByRole("link", { name: "Event catalogue" }).click();
  await expect(page.getByRole("heading", { name: "Event catalogue" })).toBeVisible();
  const card = page.getByRole("article", { name: eventType });
  await expect(card.getByTestId("volume-24h")).toHaveText(String(LEARNING_EVENTS + 1));
  await card.getByText(/^\d+ fields$/).click();
  const fields = card.getByRole("table", { name: `Fields of ${eventType}` });
  await expect(fields.getByRole("row", { name: /data\.courier_note string/ })).toBeVisible();
  await expect(fields.getByRole("row", { name: /data\.uid string/ })).toBeVisible();
  await expect(page.getByText("Erika")).toHaveCount(0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
