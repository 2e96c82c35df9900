import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { expect, sendWebhook, signIn, test } from "./fixtures";

/*
 * Who sees what (issue 7, docs/data-protection.md): staff never see a
 * patient's data anywhere — pages, JSON, exports, the live stream — and
 * support see it only after revealing one delivery with a reason.
 */

const now = () => Math.floor(Date.now() / 1000);

/** A patient no other suite uses, so a match can only come from these tests' deliveries. */
const PATIENT = { uid: "pat-e2e-dp-7c1", display_name: "Annegret Wohlgemuth", email: "annegret.wohlgemuth@example.invalid", date_of_birth: "1958-11-03" };
const ADDRESS = { first_name: "Annegret", last_name: "Wohlgemuth", street: "Lindenstraße", house_number: "5", zip_code: "04109", city: "Leipzig", country: "Germany", additional_address: null };
const MEDICATION = { pzn: "16233512", product_uid: "prod-e2e-dp", product_display_name: "Metformin 500 mg Filmtabletten", product_handle: "metformin-500" };
const PERSONAL = [PATIENT.display_name, PATIENT.email, PATIENT.date_of_birth, "Wohlgemuth", "Lindenstraße", MEDICATION.product_display_name];

function orderData(orderUid: string, status: string, at: number): Record<string, unknown> {
  return {
    uid: `po-${orderUid}`,
    status,
    name: `#${orderUid.slice(-4)}`,
    created_at: at,
    updated_at: at,
    pharmacy: { uid: "ph-e2e-dp", display_name: "Apotheke am Augustusplatz" },
    order: { uid: orderUid, delivery_address: ADDRESS, invoice_address: ADDRESS },
    order_items: [{ sku: MEDICATION, pharmacy_sku: { uid: "psku-e2e-dp", external_id: "PMS-77", price: 1299, stock: 40 } }],
    patient_data: PATIENT,
  };
}

function expectNothingPersonal(text: string, where: string): void {
  for (const value of PERSONAL) expect(text, `${where} shows ${value}`).not.toContain(value);
}

/** Keeps the text of every response the page receives from RxWatch (the live stream is read separately: it never ends). */
function recordResponses(page: Page): { texts: string[]; settle: () => Promise<void> } {
  const texts: string[] = [];
  const pending: Promise<void>[] = [];
  page.on("response", (response) => {
    if ((response.headers()["content-type"] ?? "").includes("text/event-stream")) return;
    pending.push(
      response
        .text()
        .then((text) => void texts.push(`${response.url()}\n${text}`))
        .catch(() => undefined),
    );
  });
  return { texts, settle: async () => void (await Promise.all(pending)) };
}

/** Opens the live stream in the page (with its cookies) and waits until it is connected. */
async function openLiveStream(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const response = await fetch("/api/stream");
    const reader = response.body?.getReader();
    if (!reader) throw new Error(`stream answered ${response.status}`);
    await reader.read();
    Object.assign(window, { rxwatchStreamReader: reader });
  });
}

/** Reads the stream opened by {@link openLiveStream} until a notice names `key`; returns the text read. */
async function readLiveStreamUntil(page: Page, key: string): Promise<string> {
  return page.evaluate(async (wanted) => {
    const reader = (window as unknown as { rxwatchStreamReader: ReadableStreamDefaultReader<Uint8Array> }).rxwatchStreamReader;
    let text = "";
    while (!text.includes(`"key":"${wanted}"`)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    return text;
  }, key);
}

test("a staff user never sees a patient's name, email or birth date: orders, trace, events, export and live stream", async ({ page, request }) => {
  const orderUid = `ord-${randomUUID().slice(0, 8)}`;
  const at = now() - 120;
  await sendWebhook(request, "pharmacy_order_created", at, orderData(orderUid, "waiting for pharmacy", at));

  const responses = recordResponses(page);
  await signIn(page, "staff");

  await page.goto(`/orders?q=${orderUid}`);
  await expect(page.locator(`[data-order-uid="${orderUid}"]`)).toBeVisible();
  expectNothingPersonal(await page.locator("body").innerText(), "the orders page");

  await page.goto(`/orders/${orderUid}`);
  await expect(page.getByText(`po-${orderUid}`).first()).toBeVisible();
  expectNothingPersonal(await page.locator("body").innerText(), "the order trace");

  // The deliveries page is not for staff: the page sends them back, the API refuses.
  await page.goto(`/deliveries?q=po-${orderUid}`);
  await expect(page).toHaveURL(/\/orders\?denied=1/);
  expectNothingPersonal(await page.locator("body").innerText(), "the events page");
  const list = await page.request.get(`/api/deliveries?q=po-${orderUid}`);
  expect(list.status()).toBe(403);
  expectNothingPersonal(await list.text(), "the deliveries API");

  for (const path of ["/api/deliveries/export?format=csv&bodies=1", "/api/deliveries/export?format=ndjson"]) {
    const download = await page.request.get(path);
    expect(download.status(), path).toBe(403);
    expectNothingPersonal(await download.text(), path);
  }

  // Live: what the stream says about a new order of the same patient.
  const next = `ord-${randomUUID().slice(0, 8)}`;
  await openLiveStream(page);
  await sendWebhook(request, "pharmacy_order_updated", now(), orderData(next, "in-progress", now()));
  const text = await readLiveStreamUntil(page, next);
  expect(text).toContain(`"key":"${next}"`);
  expectNothingPersonal(text, "the live stream");

  await responses.settle();
  expect(responses.texts.length).toBeGreaterThan(3);
  for (const response of responses.texts) expectNothingPersonal(response, `a response (${response.split("\n")[0]})`);
});

test("support sees a delivery masked, reveals it with a reason, and then sees the patient", async ({ page, request }) => {
  const orderUid = `ord-${randomUUID().slice(0, 8)}`;
  const at = now() - 60;
  await sendWebhook(request, "pharmacy_order_created", at, orderData(orderUid, "waiting for pharmacy", at));

  // The browser's clock, so the end of the reveal can be reached without waiting for it.
  await page.clock.install();
  await signIn(page, "support");
  await page.goto(`/deliveries?q=po-${orderUid}`);
  const row = page.locator("[data-delivery-id][role=row]").first();
  await expect(row).toContainText("pharmacy_order_created");
  await row.locator("a[data-opens-delivery]").click();
  const drawer = page.getByRole("complementary", { name: "Delivery" });
  const body = drawer.getByLabel("Raw body");
  await expect(body).toContainText('"display_name": "Apotheke am Augustusplatz"');
  await expect(body.locator("mark[data-masked]").filter({ hasText: "‹name›" }).first()).toBeVisible();
  await expect(drawer.getByText(/Personal data is masked \(\d+ fields: .*names.*medications/)).toBeVisible();
  expectNothingPersonal(await page.locator("body").innerText(), "the masked drawer");

  await drawer.getByRole("button", { name: "Reveal personal data" }).click();
  const dialog = page.getByRole("dialog", { name: "Reveal personal data" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Reason").fill("curious");
  await dialog.getByRole("button", { name: "Reveal" }).click();
  await expect(dialog.getByText(/at least 10 characters/)).toBeVisible();
  expectNothingPersonal(await page.locator("body").innerText(), "the drawer before the reveal");

  await dialog.getByLabel("Reason").fill("Patient called: parcel not delivered, ticket 8812");
  await dialog.getByRole("button", { name: "Reveal" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(body).toContainText(PATIENT.display_name);
  await expect(body).toContainText(MEDICATION.product_display_name);
  await expect(drawer.getByText(/Personal data revealed to you until/)).toBeVisible();
  await expect(drawer.getByTestId("reveal-countdown")).toHaveText(/^1[45]:\d\d$/);
  // Patient data is never in the address or the title, revealed or not.
  expect(page.url()).not.toContain("Wohlgemuth");
  expect(await page.title()).not.toContain("Wohlgemuth");

  // When the reveal ends the unmasked body goes at once, even before the server is asked again.
  await page.clock.fastForward("16:00");
  await expect(drawer.getByText("The reveal has ended; masking again…")).toBeVisible();
  await expect(drawer.getByLabel("Raw body")).toHaveCount(0);
  expectNothingPersonal(await page.locator("body").innerText(), "the drawer after the reveal ended");
});

test("an admin exports unmasked bodies only after giving a reason", async ({ page, request }) => {
  const orderUid = `ord-${randomUUID().slice(0, 8)}`;
  const at = now() - 30;
  await sendWebhook(request, "pharmacy_order_created", at, orderData(orderUid, "waiting for pharmacy", at));

  await signIn(page, "admin");
  await page.goto(`/deliveries?q=po-${orderUid}`);
  await expect(page.locator("[data-delivery-id][role=row]")).toHaveCount(1);

  const masked = await page.request.get(`/api/deliveries/export?q=po-${orderUid}&format=ndjson&bodies=1`);
  const maskedText = await masked.text();
  expect(maskedText).toContain("‹name›");
  expectNothingPersonal(maskedText, "an admin's export without a reason");

  await page.getByRole("button", { name: "Export unmasked…" }).click();
  const dialog = page.getByRole("dialog", { name: "Export with personal data" });
  await dialog.getByLabel("Reason").fill("Data subject access request DSAR-2026-0042");
  const downloading = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Export unmasked" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/-unmasked\.ndjson$/);
  const path = await download.path();
  const file = await readFile(path, "utf8");
  expect(file).toContain(PATIENT.display_name);
  expect(file).toContain(`po-${orderUid}`);
});

// Enable after merging the audit helper's branch (GET /api/audit and the /audit page are not on this branch).
test("audit page lists the reveal", async ({ page, request }) => {
  const orderUid = `ord-${randomUUID().slice(0, 8)}`;
  const at = now() - 10;
  await sendWebhook(request, "pharmacy_order_created", at, orderData(orderUid, "waiting for pharmacy", at));
  await signIn(page, "support");
  const list = await page.request.get(`/api/deliveries?q=po-${orderUid}`);
  const deliveryId = ((await list.json()) as { deliveries: { id: string }[] }).deliveries[0]?.id ?? "";
  const reason = `Audit e2e ${orderUid}: patient asked for a copy`;
  const reveal = await page.request.post(`/api/deliveries/${deliveryId}/reveal`, { data: { reason }, headers: { origin: new URL(page.url()).origin } });
  expect(reveal.status()).toBe(201);

  await page.context().clearCookies();
  await signIn(page, "admin");
  const audit = await page.request.get("/api/audit?action=delivery.reveal");
  expect(audit.status()).toBe(200);
  expect(await audit.text()).toContain(reason);
  await page.goto("/audit?action=delivery.reveal");
  await expect(page.getByRole("row").filter({ hasText: "delivery.reveal" }).filter({ hasText: reason })).toBeVisible();
  expectNothingPersonal(await page.locator("body").innerText(), "the audit page");
});
