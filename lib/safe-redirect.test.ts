import { describe, expect, it } from "vitest";
import { DEFAULT_AFTER_SIGN_IN, safeRedirectPath } from "./safe-redirect";

/*
 * `next` after sign-in, as the page receives it (the query string decoded once).
 * Each hostile value is one a browser would resolve to another origin, or one
 * that is not a plain path (issue 13, finding 4).
 */

const HOSTILE = [
  "//evil.example/x",
  "/\\evil.example/x",
  "\\\\evil.example/x",
  "/\t/evil.example/x",
  "/\n/evil.example/x",
  "/\r\n/evil.example/x",
  "\t//evil.example/x",
  " //evil.example/x",
  "/\\/evil.example",
  "///evil.example/x",
  "https://evil.example/x",
  "http:evil.example",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example/x",
  "/%2F%2Fevil.example",
  "\u0000/evil.example",
  "/\u0000/evil.example",
  "",
];

describe("safeRedirectPath", () => {
  it.each(HOSTILE)("refuses %j and falls back to the orders page", (value) => {
    const target = safeRedirectPath(value);
    expect(new URL(target, "https://rxwatch.test").origin).toBe("https://rxwatch.test");
    expect(target === DEFAULT_AFTER_SIGN_IN || !/[\\\u0000-\u001f]/.test(target)).toBe(true);
    expect(target.startsWith("//")).toBe(false);
  });

  it("keeps a path on RxWatch's own origin, with its query and fragment", () => {
    expect(safeRedirectPath("/orders/ord-1?tab=trace#x")).toBe("/orders/ord-1?tab=trace#x");
    expect(safeRedirectPath("/deliveries?q=%23%201042")).toBe("/deliveries?q=%23%201042");
  });

  it("refuses what is not a string", () => {
    expect(safeRedirectPath(undefined)).toBe(DEFAULT_AFTER_SIGN_IN);
    expect(safeRedirectPath(["/orders", "//evil.example"])).toBe(DEFAULT_AFTER_SIGN_IN);
  });
});
