import { createHmac, randomUUID } from "node:crypto";
import { EMULATOR_CONTROLS, EMULATOR_KEY, EMULATOR_URL, expect, pharmacyOrderData, sendWebhook, signIn, test } from "./fixtures";

test.describe.configure({ mode: "serial" });

test("an admin connects RxScale, subscribes to the pharmacy events and a test event passes", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/settings/rxscale");
  const connection = page.getByRole("form", { name: "RxScale connection" });
  await connection.getByRole("combobox", { name: /^Environment/ }).selectOption("custom");
  await connection.getByLabel("Custom base URL", { exact: true }).fill(EMULATOR_URL);
  await connection.getByLabel(/^API key/).fill(EMULATOR_KEY);
  await connection.getByRole("button", { name: "Save connection" }).click();
  await expect(page.getByText("Connection saved.")).toBeVisible();
  // The key is never shown again, only its end.
  await expect(connection.getByLabel(/API key \(stored, ends …-key/)).toHaveValue("");
  await page.getByRole("button", { name: "Check connection" }).click();
  await expect(page.getByText(/Connected to http:\/\/127\.0\.0\.1/)).toBeVisible();

  await page.getByRole("checkbox", { name: "pharmacy_order_created" }).check();
  await page.getByRole("checkbox", { name: "pharmacy_order_updated" }).check();
  await page.getByRole("button", { name: "Subscribe", exact: true }).click();
  const updated = page.locator('tr[data-subscription="pharmacy_order_updated"]');
  await expect(updated).toContainText("this RxWatch");
  await expect(updated).toContainText("captured");
  await expect(page.locator('tr[data-subscription="pharmacy_order_created"]')).toContainText("captured");

  await updated.getByRole("button", { name: /Send test event/ }).click();
  await expect(page.getByTestId("test-result-pharmacy_order_updated")).toContainText("Passed", { timeout: 20_000 });
});

test("a secret is rotated while RxScale keeps sending, and no delivery is rejected", async ({ page, request }) => {
  await signIn(page, "admin");
  await page.goto("/settings/secrets");
  const subscriptions = (await (await request.get(`${EMULATOR_URL}/_emulator/state`, EMULATOR_CONTROLS)).json()) as { subscriptions: { uid: string; notification_type: string }[] };
  const updated = subscriptions.subscriptions.find((subscription) => subscription.notification_type === "pharmacy_order_updated");
  if (!updated) throw new Error("no pharmacy_order_updated subscription");
  const oldSecretRow = page.locator(`tr[data-secret-label="pharmacy_order_updated (${updated.uid})"]`);
  await expect(oldSecretRow).toBeVisible();

  let keepSending = true;
  const traffic = (async () => {
    while (keepSending) {
      await request.post(`${EMULATOR_URL}/_emulator/burst`, { ...EMULATOR_CONTROLS, data: { count: 5 } });
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();

  // 1. RxWatch learns the new secret first, 2. RxScale switches to it, 3. the old one is retired once the new one matches.
  const newSecret = `whsec_rotated_${Date.now()}`;
  const form = page.getByRole("form", { name: "Add signing secret" });
  await form.getByLabel("Secret label").fill("rotation");
  await form.getByLabel("Signing secret").fill(newSecret);
  await form.getByLabel("Subscription uid (optional)").fill(updated.uid);
  await form.getByRole("button", { name: "Add secret" }).click();
  await expect(page.getByText(/Secret added/)).toBeVisible();
  const rotated = await request.post(`${EMULATOR_URL}/_emulator/subscriptions/${updated.uid}/rotate-secret`, { ...EMULATOR_CONTROLS, data: { signing_secret: newSecret } });
  expect(rotated.status()).toBe(200);

  const newRow = page.locator('tr[data-secret-label="rotation"]');
  await expect(async () => {
    await page.reload();
    await expect(newRow).not.toContainText("never");
  }).toPass({ timeout: 20_000 });
  await oldSecretRow.getByRole("button", { name: /Retire/ }).click();
  await page.getByRole("alertdialog", { name: /^Retire the signing secret/ }).getByRole("button", { name: "Retire secret" }).click();
  await expect(oldSecretRow).toContainText("Retired");
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  keepSending = false;
  await traffic;

  // Everything RxScale sent was acknowledged on the first attempt: no 401 at any point of the rotation.
  await expect(async () => {
    const log = (await (await request.get(`${EMULATOR_URL}/_emulator/deliveries?limit=1000`, EMULATOR_CONTROLS)).json()) as { deliveries: { status: string; attempts: { status_code: number | null }[] }[] };
    expect(log.deliveries.length).toBeGreaterThan(20);
    expect(log.deliveries.filter((delivery) => delivery.status !== "delivered")).toEqual([]);
    const refused = log.deliveries.flatMap((delivery) => delivery.attempts).filter((attempt) => attempt.status_code !== 200);
    expect(refused).toEqual([]);
  }).toPass({ timeout: 15_000 });
});

test("RxScale's automatic test event shows as setup verified, and Re-create asks first and captures the new subscription's secret", async ({ page, request }) => {
  await signIn(page, "admin");
  await page.goto("/settings/rxscale");
  await page.getByRole("checkbox", { name: "pharmacy_sku_stock_updated" }).check();
  await page.getByRole("button", { name: "Subscribe", exact: true }).click();
  const created = page.locator('tr[data-subscription="pharmacy_sku_stock_updated"]');
  await expect(created).toContainText("captured");
  // The e2e emulator sends no test delivery on create (EMULATOR_TEST_ON_CREATE=0, see playwright.config.ts); this is the one it would send.
  const subscriptionUid = ((await created.locator("td").nth(2).textContent()) ?? "").trim();
  const sent = await request.post(`${EMULATOR_URL}/_emulator/send`, {
    ...EMULATOR_CONTROLS,
    data: { event_type: "pharmacy_sku_stock_updated", subscription_uid: subscriptionUid, data: { uid: `test-${Date.now()}`, test: true, subscription_uid: subscriptionUid }, wait: true },
  });
  expect(sent.status()).toBe(200);
  await expect(async () => {
    await page.reload();
    await expect(created).toContainText(/Setup verified at \d{4}-\d{2}-\d{2} \d{2}:\d{2}.*UTC/, { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  const oldUid = subscriptionUid;

  await created.getByRole("button", { name: "Re-create" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Re-create the pharmacy_sku_stock_updated subscription?" });
  await expect(dialog).toContainText("captures its new signing secret");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(created.locator("td").nth(2)).toHaveText(oldUid);

  await created.getByRole("button", { name: "Re-create" }).click();
  await dialog.getByRole("button", { name: "Re-create" }).click();
  await expect(created.locator("td").nth(2)).not.toHaveText(oldUid);
  await expect(created).toContainText("captured");
});

test("unsubscribing asks first and names the event type; only confirming removes the subscription", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/settings/rxscale");
  const created = page.locator('tr[data-subscription="pharmacy_order_created"]');
  await created.getByRole("button", { name: "Unsubscribe" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Unsubscribe from pharmacy_order_created?" });
  await expect(dialog).toContainText("stop reaching this RxWatch");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(created).toBeVisible();

  await created.getByRole("button", { name: "Unsubscribe" }).click();
  await dialog.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(created).toHaveCount(0);
});

test("staff cannot open settings or its API", async ({ page }) => {
  await signIn(page, "staff");
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/orders\?denied=1/);
  expect((await page.request.get("/api/settings/connection")).status()).toBe(403);
});

test("settings has one page per section with its own URL, and old #anchor links land on the right one", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/settings");
  const sections = page.getByRole("navigation", { name: "Settings sections" });
  await sections.getByRole("link", { name: "Users and tokens" }).click();
  await expect(page).toHaveURL(/\/settings\/access$/);
  await expect(sections.getByRole("link", { name: "Users and tokens" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Signing secrets" })).toHaveCount(0);

  for (const [anchor, path, heading] of [
    ["access", "/settings/access", "API tokens"],
    ["secrets", "/settings/secrets", "Signing secrets"],
    ["local", "/settings/local", "Event names"],
    ["data-protection", "/settings/data-protection", "Forget a patient"],
    ["rxscale", "/settings/rxscale", "RxScale connection"],
  ] as const) {
    await page.goto(`/settings#${anchor}`);
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await expect(page.getByRole("heading", { name: heading, exact: true }).first()).toBeVisible();
  }
});

test("a signing secret added in settings verifies the very next delivery", async ({ page }) => {
  await signIn(page, "admin");
  const origin = new URL(page.url()).origin;
  const at = Math.floor(Date.now() / 1000);
  const data = pharmacyOrderData(`ord-${randomUUID().slice(0, 8)}`, "waiting for pharmacy", at);
  // A delivery first, so the code that verifies deliveries (in the processing thread) has just loaded the secrets: its copy is fresh, not expired.
  await sendWebhook(page.request, "pharmacy_order_created", at, data);
  const secret = `whsec_added_${randomUUID()}`;
  const added = await page.request.post("/api/settings/signing-secrets", { data: { label: "added then used", secret }, headers: { origin } });
  expect(added.status()).toBe(201);

  const body = JSON.stringify({ event_type: "pharmacy_order_updated", timestamp: at + 60, payload_version: "1", data: { ...data, status: "in-progress", updated_at: at + 60 } });
  const signature = createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest("hex");
  const delivered = await page.request.post("/api/webhooks/rxscale", { data: body, headers: { "content-type": "application/json", "x-webhook-event": "pharmacy_order_updated", "x-webhook-signature": signature } });
  expect(delivered.status(), await delivered.text()).toBe(200);
});
