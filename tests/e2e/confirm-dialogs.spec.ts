import { expect, signIn, test } from "./fixtures";

test("revoking a token asks first, says what happens, and Cancel keeps the token working", async ({ page, playwright, baseURL }) => {
  await signIn(page, "admin");
  const tokensLoaded = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/tokens" && response.request().method() === "GET");
  await page.goto("/settings/access");
  await tokensLoaded;
  const form = page.getByRole("form", { name: "Create API token" });
  await form.getByLabel("Token name").fill("kept-after-cancel");
  await form.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("new-token").textContent())?.trim() ?? "";
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });

  await page.getByRole("button", { name: "Revoke kept-after-cancel" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Revoke the token kept-after-cancel?" });
  await expect(dialog).toContainText("cannot be restored");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect((await api.get("/api/me")).status()).toBe(200);

  await page.getByRole("button", { name: "Revoke kept-after-cancel" }).click();
  await dialog.getByRole("button", { name: "Revoke token" }).click();
  await expect(dialog).toBeHidden();
  expect((await api.get("/api/me")).status()).toBe(401);
  await api.dispose();
});

test("disabling a user and ending their sessions ask first; Escape changes nothing", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/settings/access");
  const row = page.getByRole("row").filter({ hasText: "staff@e2e.example" });
  await row.getByRole("button", { name: "Disable staff@e2e.example" }).click();
  const disable = page.getByRole("alertdialog", { name: "Disable staff@e2e.example?" });
  await expect(disable).toContainText("cannot sign in until an admin enables");
  await page.keyboard.press("Escape");
  await expect(disable).toBeHidden();
  await expect(row).toContainText("Active");

  await row.getByRole("button", { name: "End sessions of staff@e2e.example" }).click();
  const endSessions = page.getByRole("alertdialog", { name: "End every session of staff@e2e.example?" });
  await expect(endSessions).toContainText("signed out on every device");
  await endSessions.getByRole("button", { name: "Cancel" }).click();
  await expect(endSessions).toBeHidden();
  await expect(page.getByText(/Signed staff@e2e\.example out everywhere/)).toHaveCount(0);
});

test("running the purge by hand asks first and warns that it cannot be undone", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/settings/data-protection");
  await page.getByRole("button", { name: "Run purge now" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Run the retention purge now?" });
  await expect(dialog).toContainText("cannot be undone");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});

test("account actions sit in the account menu, and ending all sessions asks first and lands on sign-in with a message", async ({ page }) => {
  await signIn(page, "support");
  await expect(page.getByRole("button", { name: "End all my sessions" })).toBeHidden();
  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("button", { name: "End all my sessions" }).click();
  const dialog = page.getByRole("alertdialog", { name: "End all your sessions?" });
  await expect(dialog).toContainText("every device and browser");
  await dialog.getByRole("button", { name: "End all my sessions" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByText("You are signed out on every device and browser.")).toBeVisible();
  expect((await page.request.get("/api/me")).status()).toBe(401);
});
