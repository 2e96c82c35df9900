import { randomUUID } from "node:crypto";
import { expect, sendWebhook, signIn, test } from "./fixtures";

/*
 * A segment whose data the server failed to give shows the segment's error
 * view: what failed, the request id to quote, and a Retry that loads again.
 */

test("an order trace the server failed to load shows the error view with the request id, and Retry loads it", async ({ page, request }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  const at = Math.floor(Date.now() / 1000);
  await sendWebhook(request, "order_created", at, { uid, status: "waiting for doctor", updated_at: at });
  await signIn(page, "staff");

  // The server's answer to a failure, as the error envelope and X-Request-Id make it; then the real API again.
  let isFailing = true;
  await page.route(`**/api/orders/${uid}`, async (route) => {
    if (!isFailing) return route.fallback();
    await route.fulfill({
      status: 500,
      contentType: "application/json",
      headers: { "x-request-id": "req-e2e-forced-failure" },
      body: JSON.stringify({ error: { code: "internal", message: "Something went wrong on our side." } }),
    });
  });
  await page.goto(`/orders/${uid}`);

  const view = page.getByRole("alert").filter({ hasText: "Could not show the order trace" });
  await expect(view).toBeVisible();
  await expect(view).toContainText("Request id");
  await expect(view.getByTestId("error-reference")).toHaveText("req-e2e-forced-failure");

  isFailing = false;
  await view.getByRole("button", { name: "Retry" }).click();
  await expect(page.getByRole("heading", { name: "Order trace", level: 1 })).toBeVisible();
  await expect(page.getByText(uid).first()).toBeVisible();
  await expect(view).toHaveCount(0);
});

test("pages answer with the request id their render is logged under", async ({ page }) => {
  await signIn(page, "staff");
  const response = await page.request.get("/orders");
  expect(response.headers()["x-request-id"]).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  const passedOn = await page.request.get("/orders", { headers: { "x-request-id": "lb-e2e-0001" } });
  expect(passedOn.headers()["x-request-id"]).toBe("lb-e2e-0001");
});
