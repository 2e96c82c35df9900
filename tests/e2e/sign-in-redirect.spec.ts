import { E2E_BASE_URL } from "../../playwright.config";
import { expect, test, USERS } from "./fixtures";

/*
 * `next` after sign-in, walked in Chromium: every encoding that has sent
 * browsers to another host (backslash, tab, CR/LF, `//`, `/\`, their
 * percent-encoded forms, schemes) must land on RxWatch's own origin. One test
 * per value, so each sign-in has the whole test timeout to itself.
 */

/** Raw query-string values of `next`, as an attacker would put them in a link. */
const HOSTILE_NEXT_VALUES = [
  "/%5Cevil.example/x",
  "/%09/evil.example/x",
  "%2F%2Fevil.example/x",
  "//evil.example/x",
  "/%2F/evil.example/x",
  "/%5C/evil.example/x",
  "%5C%5Cevil.example/x",
  "/\\evil.example/x",
  "\\/evil.example/x",
  "/%0D%0A/evil.example/x",
  "/%0A/evil.example/x",
  "%09//evil.example/x",
  "%20//evil.example/x",
  "https://evil.example/x",
  "https:evil.example/x",
  "javascript:alert(document.domain)",
  "data:text/html,<script>alert(1)</script>",
  "/%252F%252Fevil.example/x",
  "/.//evil.example/x",
  "/x/../..//evil.example/x",
  "%2F%5Cevil.example%2Fx",
];

const ownOrigin = new URL(E2E_BASE_URL).origin;

for (const value of HOSTILE_NEXT_VALUES) {
  test(`sign-in with next=${JSON.stringify(value)} stays on RxWatch's origin`, async ({ page }) => {
    const leftFor: string[] = [];
    // Nothing may reach another host; a navigation there is recorded and answered here instead of by the network.
    await page.route(/^(?!http:\/\/127\.0\.0\.1)/, async (route) => {
      leftFor.push(route.request().url());
      await route.fulfill({ status: 200, contentType: "text/plain", body: "left RxWatch" });
    });
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`/sign-in?next=${value}`);
    await page.getByLabel("Email").fill(USERS.staff.email);
    await page.getByLabel("Password").fill(USERS.staff.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).not.toHaveURL(/\/sign-in/);
    await page.waitForLoadState("load");
    expect(new URL(page.url()).origin).toBe(ownOrigin);
    expect(leftFor).toEqual([]);
    expect(dialogs).toEqual([]);
  });
}
