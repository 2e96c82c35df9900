/** Where sign-in goes when `next` is missing or not acceptable. */
export const DEFAULT_AFTER_SIGN_IN = "/orders";

/** Longest `next` kept: RxWatch's own paths with filters are far shorter. */
const MAX_NEXT_CHARS = 2_048;
const BASE = "https://rxwatch.invalid";

/**
 * `next` (decoded once, as the sign-in page receives it) when it resolves to a
 * path on RxWatch's own origin, re-serialised by the URL parser; otherwise
 * DEFAULT_AFTER_SIGN_IN. Backslashes and control characters are refused
 * outright: browsers read `\` as `/` and drop tabs and newlines, which is how
 * `/\evil.example` and `/<TAB>/evil.example` reach another host.
 */
export function safeRedirectPath(next: unknown): string {
  if (typeof next !== "string" || next.length > MAX_NEXT_CHARS) return DEFAULT_AFTER_SIGN_IN;
  if (!next.startsWith("/") || next.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(next)) return DEFAULT_AFTER_SIGN_IN;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return DEFAULT_AFTER_SIGN_IN;
  }
  if (url.origin !== BASE) return DEFAULT_AFTER_SIGN_IN;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("//") ? DEFAULT_AFTER_SIGN_IN : path;
}
