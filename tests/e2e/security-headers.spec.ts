import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, pharmacyOrderData, sendWebhook, signIn, test } from "./fixtures";

/*
 * The browser side of the security headers: the pages carry a nonce-based
 * policy that the app lives with — no violation while a person walks through
 * every page, light and dark.
 */

/** Collects every CSP violation the page reports, from the DOM event and from the console. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("reportCspViolation", (description: string) => violations.push(description));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { reportCspViolation: (description: string) => void }).reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  return violations;
}

test("a page carries a fresh script nonce, the strict policy and the static headers", async ({ request }) => {
  const first = await request.get("/sign-in");
  const second = await request.get("/sign-in");
  const policy = first.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeTruthy();
  expect(second.headers()["content-security-policy"]).not.toContain(`'nonce-${nonce}'`);
  expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'(;|$)/);
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "connect-src 'self'"]) expect(policy).toContain(directive);
  expect(first.headers()).toMatchObject({
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
  });
  expect(first.headers()["permissions-policy"]).toContain("camera=()");
  // Plain HTTP here: no HSTS, no upgrade of requests.
  expect(first.headers()).not.toHaveProperty("strict-transport-security");
  expect(policy).not.toContain("upgrade-insecure-requests");
  // Every script in the page carries the nonce of its response.
  const html = await first.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
});

test("behind a TLS-terminating proxy, pages add HSTS and upgrade insecure requests", async ({ request }) => {
  const response = await request.get("/sign-in", { headers: { "x-forwarded-proto": "https" } });
  expect(response.headers()["strict-transport-security"]).toMatch(/^max-age=\d+/);
  expect(response.headers()["content-security-policy"]).toContain("upgrade-insecure-requests");
});

test("walking every page, light and dark, reports no CSP violation", async ({ page, request, context, baseURL }) => {
  const violations = await watchViolations(page);
  await page.goto("/sign-in");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();

  const uid = `ord-${randomUUID().slice(0, 8)}`;
  const at = Math.floor(Date.now() / 1000);
  await sendWebhook(request, "order_created", at, { uid, status: "waiting for doctor", updated_at: at });
  await sendWebhook(request, "pharmacy_order_created", at + 1, pharmacyOrderData(uid, "waiting for pharmacy", at + 1));

  await signIn(page, "admin");
  for (const theme of ["light", "dark"]) {
    await context.addCookies([{ name: "rxwatch-theme", value: theme, url: baseURL ?? "" }]);
    for (const [path, heading] of [
      ["/orders", /Orders/],
      [`/orders/${uid}`, /Order trace/],
      ["/deliveries", /Deliveries/],
      ["/failures", /Failures/],
      ["/settings", /Settings/],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 }).first()).toHaveText(heading);
      await expect(page.locator("html")).toHaveClass(new RegExp(theme));
      if (path.includes(uid)) await expect(page.getByText(uid).first()).toBeVisible();
    }
  }
  // A client-side navigation loads further chunks under 'strict-dynamic'.
  await page.getByRole("link", { name: "Orders" }).first().click();
  await expect(page).toHaveURL(/\/orders/);
  expect(violations).toEqual([]);
});
