import { createHmac, randomUUID } from "node:crypto";
import { expect, pharmacyOrderData, sendWebhook, signIn, test } from "./fixtures";

const now = () => Math.floor(Date.now() / 1000);
const rows = (page: import("@playwright/test").Page) => page.locator("[data-delivery-id][role=row]");

test("support finds an order's deliveries by uid from the search box and opens one's detail", async ({ page, request }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  const at = now() - 300;
  await sendWebhook(request, "pharmacy_order_created", at, pharmacyOrderData(uid, "waiting for pharmacy", at));
  await sendWebhook(request, "pharmacy_order_updated", at + 60, pharmacyOrderData(uid, "in-progress", at + 60));
  await sendWebhook(request, "pharmacy_order_created", at, pharmacyOrderData(`${uid}-other`, "waiting for pharmacy", at));

  await signIn(page, "support");
  await page.getByRole("link", { name: "Deliveries" }).click();
  await expect(page).toHaveURL(/\/deliveries/);
  await expect(page.getByRole("heading", { name: "Deliveries", level: 1 })).toBeVisible();
  expect(await page.title()).toBe("Deliveries · RxWatch");
  await page.getByLabel("Search deliveries").fill(`po-${uid}`);
  await page.getByLabel("Search deliveries").press("Enter");
  await expect(page).toHaveURL(new RegExp(`q=po-${uid}`));
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).first()).toContainText("pharmacy_order_updated");
  await expect(rows(page).nth(1)).toContainText("pharmacy_order_created");

  await rows(page).first().locator("a[data-opens-delivery]").click();
  const drawer = page.getByRole("complementary", { name: "Delivery" });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByText("Signature verified")).toBeVisible();
  await expect(drawer.getByText(/matched Entry 1 of RXSCALE_SIGNING_SECRETS/)).toBeVisible();
  await expect(drawer.getByLabel("Raw body")).toContainText('"event_type": "pharmacy_order_updated"');
  await expect(drawer.getByRole("link", { name: "Open order trace" })).toHaveAttribute("href", `/orders/${uid}`);
  await expect(drawer.getByRole("button", { name: "Re-process event" })).toBeVisible();
  // The open delivery is in the URL, so the view can be shared as it is.
  await expect(page).toHaveURL(/delivery=/);
  await page.reload();
  await expect(page.getByRole("complementary", { name: "Delivery" }).getByText("Signature verified")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("complementary", { name: "Delivery" })).toHaveCount(0);
  // Patient data is never in the page title or the address.
  expect(await page.title()).not.toMatch(/Erika/);
  expect(page.url()).not.toMatch(/Erika|pat-/);
});

test("a delivery signed with the wrong secret shows why it was rejected", async ({ page, request }) => {
  const type = `evlog_e2e_${randomUUID().slice(0, 8)}`;
  const body = JSON.stringify({ event_type: type, timestamp: now(), payload_version: "1", data: { uid: `x-${type}` } });
  const signature = createHmac("sha256", "whsec_someone_elses_secret").update(body).digest("hex");
  const response = await request.post("/api/webhooks/rxscale", { data: body, headers: { "content-type": "application/json", "x-webhook-event": type, "x-webhook-signature": signature } });
  expect(response.status()).toBe(401);

  await signIn(page, "support");
  await page.goto("/deliveries");
  await page.getByLabel("Outcome").selectOption("rejected");
  await expect(page).toHaveURL(/outcome=rejected/);
  const row = rows(page).filter({ hasText: type });
  await expect(row).toContainText("bad_signature");
  await expect(row).toContainText("(header)");
  await row.click();
  const drawer = page.getByRole("complementary", { name: "Delivery" });
  await expect(drawer.getByText("Signature not verified")).toBeVisible();
  await expect(drawer.getByText(/body was changed on the way.*cannot tell these two apart/)).toBeVisible();
  await expect(drawer.getByText(/never became an event/)).toBeVisible();
});

test("the deliveries page tails new deliveries live, and pausing holds them back with a count", async ({ page, request }) => {
  // Deliveries of one pharmacy only, so that other traffic (demo mode) cannot change what this test sees.
  const pharmacyUid = `ph-${randomUUID().slice(0, 8)}`;
  const send = (orderUid: string) =>
    sendWebhook(request, "pharmacy_order_created", now(), { ...pharmacyOrderData(orderUid, "waiting for pharmacy", now()), pharmacy: { uid: pharmacyUid, display_name: "Apotheke Live" } });
  await signIn(page, "support");
  await page.goto(`/deliveries?q=${pharmacyUid}`);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  // Survives only as long as the page is not reloaded.
  await page.evaluate(() => Object.assign(window, { rxwatchNoReload: true }));

  const first = `ord-${randomUUID().slice(0, 8)}`;
  await send(first);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(first);

  await page.getByRole("button", { name: "Pause" }).click();
  const held = `ord-${randomUUID().slice(0, 8)}`;
  await send(held);
  await expect(page.getByTestId("new-while-paused")).toHaveText("1 new");
  await expect(rows(page)).toHaveCount(1);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).first()).toContainText(held);
  expect(await page.evaluate(() => (window as unknown as { rxwatchNoReload?: boolean }).rxwatchNoReload)).toBe(true);
});

test("staff are kept out of the deliveries page", async ({ page }) => {
  await signIn(page, "staff");
  await page.goto("/deliveries");
  await expect(page).toHaveURL(/\/orders\?denied=1/);
  await expect(page.getByRole("link", { name: "Deliveries" })).toHaveCount(0);
});

test("old /events URLs redirect permanently to /deliveries, query string and all", async ({ page, request }) => {
  const response = await request.get("/events?x=1", { maxRedirects: 0 });
  expect(response.status()).toBe(308);
  expect(response.headers().location).toBe("/deliveries?x=1");
  await signIn(page, "support");
  await page.goto("/events?x=1");
  await expect(page).toHaveURL(/\/deliveries\?x=1$/);
  await expect(page.getByRole("heading", { name: "Deliveries", level: 1 })).toBeVisible();
});

test("closing the delivery drawer puts the keyboard focus back on the row it was opened from", async ({ page, request }) => {
  const uid = `ord-${randomUUID().slice(0, 8)}`;
  const at = now() - 120;
  await sendWebhook(request, "pharmacy_order_created", at, pharmacyOrderData(uid, "waiting for pharmacy", at));
  await sendWebhook(request, "pharmacy_order_updated", at + 60, pharmacyOrderData(uid, "in-progress", at + 60));
  await signIn(page, "support");
  await page.goto(`/deliveries?q=po-${uid}`);
  await expect(rows(page)).toHaveCount(2);
  const second = rows(page).nth(1);
  const drawer = page.getByRole("complementary", { name: "Delivery" });

  await second.locator("a[data-opens-delivery]").focus();
  await page.keyboard.press("Enter");
  await expect(drawer.getByText("Signature verified")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);
  await expect(second.locator("a[data-opens-delivery]")).toBeFocused();

  await second.locator("a[data-opens-delivery]").click();
  await drawer.getByRole("button", { name: "Close delivery detail" }).click();
  await expect(drawer).toHaveCount(0);
  await expect(second.locator("a[data-opens-delivery]")).toBeFocused();
});
