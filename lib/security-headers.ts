/*
 * The HTTP security headers RxWatch sends, built in one place. proxy.ts adds
 * the per-request ones to every page (the nonce-based Content-Security-Policy
 * and, on HTTPS, Strict-Transport-Security); next.config.js adds the static
 * ones to every response, API and static assets included. docs/data-protection.md
 * (## Hardening) explains each choice.
 */

// The static headers live in a .js file because next.config.js imports them too.
export { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "./static-security-headers.js";

/** Two years, the value browsers' preload lists ask for; subdomains are left alone (RxWatch often lives on one of an organisation's hosts). */
export const HSTS_VALUE = "max-age=63072000";

export interface PagePolicyOptions {
  /** Fresh for every response; Next.js puts it on its own scripts. */
  nonce: string;
  /** React's development build needs eval for its error overlays; production never does. */
  isDevelopment: boolean;
  /** The page was served over HTTPS: mixed content is upgraded (on plain HTTP that would break every asset). */
  isHttps: boolean;
}

/**
 * The Content-Security-Policy of a page. Scripts run only when they carry the
 * nonce or were loaded by one that does ('strict-dynamic'): no inline script
 * without it, no eval, no foreign host. Style elements need the nonce too;
 * only style *attributes* are allowed inline, because React renders the
 * virtualised tables' row heights and offsets as `style="…"` in server HTML —
 * an attribute cannot carry selectors or script, so it cannot read the page.
 */
export function pageContentSecurityPolicy({ nonce, isDevelopment, isHttps }: PagePolicyOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDevelopment ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'self'",
    "manifest-src 'self'",
  ];
  if (isHttps) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

export interface HttpsSignals {
  /** RXWATCH_PUBLIC_URL, when set. */
  publicUrl: string | undefined;
  /** The scheme Next.js saw (`https:` only when it terminates TLS itself). */
  requestProtocol: string;
  /** The X-Forwarded-Proto header, when present. */
  forwardedProto: string | null;
}

/**
 * Whether the page was reached over HTTPS, deciding HSTS and
 * upgrade-insecure-requests. A configured https public URL settles it.
 * Otherwise X-Forwarded-Proto is believed without asking which proxy set it:
 * a client that forges it only changes its own response, and browsers ignore
 * Strict-Transport-Security received over plain HTTP (RFC 6797 §8.1), so a
 * forged header cannot pin anyone to HTTPS who is not already using it.
 */
export function isHttpsRequest({ publicUrl, requestProtocol, forwardedProto }: HttpsSignals): boolean {
  if (publicUrl?.startsWith("https://")) return true;
  if (requestProtocol === "https:") return true;
  return forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** 128 random bits, base64: unguessable and fresh per response. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** The per-request headers of a page response. */
export function pageSecurityHeaders(options: PagePolicyOptions): Record<string, string> {
  const headers: Record<string, string> = { "Content-Security-Policy": pageContentSecurityPolicy(options) };
  if (options.isHttps) headers["Strict-Transport-Security"] = HSTS_VALUE;
  return headers;
}
