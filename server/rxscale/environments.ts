import "server-only";
import { RXSCALE_BASE_URLS, type RxScaleEnvironment } from "@/lib/settings";

/**
 * The Management API host for an environment choice (docs/rxscale.md#management-api):
 * production https://api.rxscale.com, sandbox https://api.rxscale-dev.com,
 * or a custom URL (e.g. the emulator). Throws an Error an admin can act on
 * when a custom URL is missing or unusable.
 */
export function resolveRxScaleBaseUrl(environment: RxScaleEnvironment, customBaseUrl?: string | null): string {
  if (environment !== "custom") return RXSCALE_BASE_URLS[environment];
  if (!customBaseUrl || customBaseUrl.trim() === "") throw new Error("Choose production or sandbox, or enter a custom RxScale base URL.");
  return normaliseBaseUrl(customBaseUrl);
}

const MANAGEMENT_SUFFIX = /\/v1\/management\/?$/;

/**
 * `https://host[:port][/prefix]` without trailing slashes. A pasted URL that
 * already ends in /v1/management is accepted and the suffix dropped, since the
 * client appends it. Throws for anything that is not an http(s) URL.
 */
export function normaliseBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Error("The RxScale base URL is not a valid URL (expected e.g. https://api.rxscale.com).");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("The RxScale base URL must start with https:// (or http:// for a local emulator).");
  if (url.username || url.password) throw new Error("The RxScale base URL must not contain credentials; the API key is configured separately.");
  if (url.search || url.hash) throw new Error("The RxScale base URL must not contain a query string or fragment.");
  const path = url.pathname.replace(MANAGEMENT_SUFFIX, "").replace(/\/+$/, "");
  return `${url.origin}${path}`;
}
