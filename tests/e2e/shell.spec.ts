import { mkdirSync } from "node:fs";
import { expect, signIn, test, USERS } from "./fixtures";

test.describe("sign-in", () => {
  test("an admin signs in with the right password and sees the shell", async ({ page }) => {
    await signIn(page, "admin");
    await expect(page.getByRole("heading", { name: "Orders", exact: true })).toBeVisible();
    await expect(page.getByTestId("signed-in-user")).toContainText("admin");
  });

  test("a wrong password is refused with a message and no session", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(USERS.staff.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Email or password is wrong." })).toBeVisible();
    await page.goto("/orders");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Forders/);
  });

  test("anonymous visitors are sent to sign-in and JSON endpoints answer 401", async ({ page, request }) => {
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/sign-in/);
    const response = await request.get("/api/users");
    expect(response.status()).toBe(401);
    expect((await response.json()).error.code).toBe("unauthenticated");
  });

  test("health is public and carries no data", async ({ request }) => {
    const response = await request.get("/api/health");
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(["database", "status"]);
    expect(body.database.reachable).toBe(true);
  });
});

test.describe("roles", () => {
  const expected = {
    staff: ["Orders", "Insights"],
    support: ["Orders", "Insights", "Failures", "Deliveries", "Reconciliation", "Event catalogue"],
    admin: ["Orders", "Insights", "Failures", "Deliveries", "Reconciliation", "Event catalogue", "Settings", "Audit"],
  } as const;

  for (const role of ["staff", "support", "admin"] as const) {
    test(`${role} sees only its navigation`, async ({ page }) => {
      await signIn(page, role);
      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("link")).toHaveText([...expected[role]]);
    });
  }

  test("staff gets 403 from an admin JSON endpoint and is bounced from settings", async ({ page }) => {
    await signIn(page, "staff");
    const response = await page.request.get("/api/users");
    expect(response.status()).toBe(403);
    expect((await response.json()).error.code).toBe("forbidden");
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/orders\?denied=1/);
    await expect(page.getByRole("alert").filter({ hasText: "needs a higher role" })).toBeVisible();
  });

  test("support can open deliveries but not settings", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/deliveries");
    await expect(page.getByRole("heading", { name: "Deliveries", level: 1 })).toBeVisible();
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/orders\?denied=1/);
  });
});

test("sign-out from the account menu ends the session and says so on the sign-in page", async ({ page }) => {
  await signIn(page, "support");
  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByText("You are signed out.")).toBeVisible();
  await page.goto("/deliveries");
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await page.request.get("/api/me")).status()).toBe(401);
});

test("an admin creates an API token that works once shown and stops after revocation", async ({ page, playwright, baseURL }) => {
  await signIn(page, "admin");
  // The list's first load must finish before the create: a create's refetch does not restart a first load still in flight.
  const tokensLoaded = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/tokens" && response.request().method() === "GET");
  await page.goto("/settings/access");
  await tokensLoaded;
  const form = page.getByRole("form", { name: "Create API token" });
  await form.getByLabel("Token name").fill("monitoring");
  await form.getByLabel("Token role").selectOption("support");
  await form.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("new-token").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^rxw_/);

  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
  const me = await api.get("/api/me");
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ role: "support", via: "token" });
  expect((await api.get("/api/users")).status()).toBe(403);

  await page.getByRole("button", { name: "Revoke monitoring" }).click();
  await page.getByRole("alertdialog", { name: "Revoke the token monitoring?" }).getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByRole("alertdialog")).toBeHidden();
  await expect(page.locator('tr[data-token-name="monitoring"]')).toContainText("Revoked");
  expect((await api.get("/api/me")).status()).toBe(401);
  await api.dispose();
});

test("a new token is copied with one click and expires after the chosen lifetime, which the list shows", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, "admin");
  const tokensLoaded = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/tokens" && response.request().method() === "GET");
  await page.goto("/settings/access");
  await tokensLoaded;
  const form = page.getByRole("form", { name: "Create API token" });
  await form.getByLabel("Token name").fill("expires-in-30");
  await form.getByLabel("Expires after").selectOption({ label: "30 days" });
  await form.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("new-token").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^rxw_/);
  await page.getByRole("button", { name: "Copy token" }).click();
  await expect(page.getByText("Copied.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

  const row = page.locator('tr[data-token-name="expires-in-30"]');
  const expires = row.locator("time").last();
  const expiresAt = Date.parse((await expires.getAttribute("datetime")) ?? "");
  const days = (expiresAt - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(29);
  expect(days).toBeLessThanOrEqual(30);
});

test("the shell in light and dark themes (screenshots kept as artefacts)", async ({ page }, testInfo) => {
  mkdirSync("tests/artifacts", { recursive: true });
  await signIn(page, "admin");
  for (const theme of ["light", "dark"] as const) {
    await page.getByLabel("Theme").selectOption(theme);
    await expect(page.locator("html")).toHaveClass(new RegExp(`\\b${theme}\\b`));
    // Chromium reports Tailwind's colours as lab(L a b): L is the perceived lightness, 0–100.
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const lightness = Number(/^(?:lab|oklch|oklab)\(([\d.]+)/.exec(background)?.[1] ?? Number.NaN);
    if (theme === "dark") expect(lightness).toBeLessThan(20);
    else expect(lightness).toBeGreaterThan(90);
    const path = `tests/artifacts/shell-${theme}.png`;
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`shell-${theme}`, { path, contentType: "image/png" });
  }
  // The choice survives a reload: the server renders the theme from the cookie.
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
});
