import { expect, pharmacyOrderData, sendWebhook, signIn, test } from "./fixtures";

test("an admin forgets a patient from the settings page and sees what was removed, then that nothing is left", async ({ page, request }) => {
  const orderUid = `ord-erasure-${Date.now()}`;
  const at = Math.floor(Date.now() / 1000);
  await sendWebhook(request, "pharmacy_order_created", at, pharmacyOrderData(orderUid, "waiting for pharmacy", at));
  await sendWebhook(request, "pharmacy_order_updated", at + 60, pharmacyOrderData(orderUid, "in-progress", at + 60));

  await signIn(page, "admin");
  await page.goto("/settings#data-protection");
  const form = page.getByRole("form", { name: "Forget a patient" });
  const forget = async (reason: string) => {
    await form.getByLabel("Patient uid").fill(`pat-${orderUid}`);
    await form.getByLabel("Reason").fill(reason);
    await form.getByRole("button", { name: "Forget patient…" }).click();
    await page.getByRole("alertdialog", { name: "Forget this patient?" }).getByRole("button", { name: "Yes, forget this patient" }).click();
  };

  await forget("erasure request E2E-1");
  await expect(page.getByText(/Patient forgotten: 2 bodies removed/)).toBeVisible();
  await expect(page.getByRole("table", { name: "Purge runs" }).getByRole("row").filter({ hasText: "Erasure request" }).first()).toContainText("bodies 2");

  await forget("erasure request E2E-1, again");
  await expect(page.getByText(/Nothing refers to this patient any more/)).toBeVisible();
});
