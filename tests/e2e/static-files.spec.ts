import { expect, test } from "./fixtures";

/*
 * Icons and the web manifest are fetched by browsers on their own, before
 * anyone signs in: they answer as files, signed out, never as a redirect to
 * the sign-in page (which made /favicon.ico a 404 on every page).
 */

const FILES = [
  { path: "/favicon.ico", contentType: /^image\/(x-icon|vnd\.microsoft\.icon)/ },
  { path: "/favicon.svg", contentType: /^image\/svg\+xml/ },
  { path: "/apple-touch-icon.png", contentType: /^image\/png/ },
  { path: "/icon-192.png", contentType: /^image\/png/ },
  { path: "/icon-512.png", contentType: /^image\/png/ },
  { path: "/manifest.webmanifest", contentType: /^application\/manifest\+json/ },
] as const;

for (const { path, contentType } of FILES) {
  test(`${path} answers 200 with its content type to a signed-out visitor`, async ({ request }) => {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toMatch(contentType);
    expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  });
}

test("the manifest names the app and its icons, each of which answers", async ({ request }) => {
  const manifest: unknown = await (await request.get("/manifest.webmanifest")).json();
  expect(manifest).toMatchObject({ name: "RxWatch", start_url: "/orders" });
  const icons = typeof manifest === "object" && manifest !== null && "icons" in manifest && Array.isArray(manifest.icons) ? manifest.icons : [];
  expect(icons.length).toBeGreaterThanOrEqual(2);
  for (const icon of icons) {
    const src = typeof icon === "object" && icon !== null && "src" in icon && typeof icon.src === "string" ? icon.src : "";
    expect((await request.get(src, { maxRedirects: 0 })).status(), src).toBe(200);
  }
});

test("pages link the icons and the manifest, and nothing the page loads fails", async ({ page }) => {
  const failed: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  await page.goto("/sign-in");
  await expect(page.locator('link[rel="icon"][href^="/favicon.ico"]')).toHaveCount(1);
  await expect(page.locator('link[rel="icon"][href^="/favicon.svg"]')).toHaveCount(1);
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute("href", /^\/apple-touch-icon\.png/);
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", /^\/manifest\.webmanifest/);
  expect(failed).toEqual([]);
});
