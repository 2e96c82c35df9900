// @ts-check
/*
 * The headers every response carries, as plain JavaScript: next.config.js is
 * loaded by Node without a TypeScript step, so what it imports must be .js.
 * lib/security-headers.ts re-exports these for everything else.
 */

/** @type {readonly { key: string; value: string }[]} */
export const STATIC_SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  // RxWatch URLs carry filters and search terms; no other site needs to see them.
  { key: "Referrer-Policy", value: "no-referrer" },
  // Legacy twin of frame-ancestors 'none' for browsers without CSP level 2.
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()" },
];

/**
 * The policy of JSON and file responses: nothing in them may run, load or be
 * framed. A browser opening an API URL directly renders inert text.
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
