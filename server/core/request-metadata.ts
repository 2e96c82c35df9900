import "server-only";
import { clientAddress } from "@/server/core/client-address";

/**
 * Request headers kept with every delivery, for diagnosis. Cookies and
 * Authorization are never among them; the signature is kept because it is a
 * MAC of the body, not a secret, and support needs it to explain a mismatch.
 */
export const RECORDED_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "user-agent",
  "x-webhook-event",
  "x-webhook-signature",
  "x-forwarded-for",
] as const;

/** Longest header value kept; longer ones are cut (and marked) so a hostile header cannot bloat the table. */
export const MAX_RECORDED_HEADER_CHARS = 1_024;
/** Longest source address and X-Webhook-Event value stored in their own columns. */
const MAX_COLUMN_CHARS = 256;

export interface RequestMetadata {
  /** JSON object of {@link RECORDED_HEADERS} that were present. */
  headers: string;
  sourceAddress: string | null;
  eventTypeHeader: string | null;
}

function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** The client's address as server/core/client-address.ts resolves it, as stored with deliveries and audit entries. */
export function sourceAddressOf(headers: Headers): string | null {
  const address = clientAddress(headers);
  return address ? cut(address, MAX_COLUMN_CHARS) : null;
}

export function requestMetadata(headers: Headers): RequestMetadata {
  const kept: Record<string, string> = {};
  for (const name of RECORDED_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = cut(value, MAX_RECORDED_HEADER_CHARS);
  }
  const eventType = headers.get("x-webhook-event");
  return { headers: JSON.stringify(kept), sourceAddress: sourceAddressOf(headers), eventTypeHeader: eventType === null ? null : cut(eventType, MAX_COLUMN_CHARS) };
}

/**
 * RxScale always sends `application/json` (docs/rxscale.md#request-and-headers). Parameters are
 * tolerated, but a declared charset must be UTF-8: the body is decoded as
 * UTF-8, and JSON is UTF-8 by definition.
 */
export function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const [mediaType = "", ...parameters] = value.split(";").map((part) => part.trim().toLowerCase());
  if (mediaType !== "application/json") return false;
  return parameters.every((parameter) => {
    const [name = "", raw = ""] = parameter.split("=").map((part) => part.trim());
    if (name !== "charset") return true;
    const charset = raw.replace(/^"(.*)"$/, "$1");
    return charset === "utf-8" || charset === "utf8";
  });
}

/**
 * Only unencoded bodies are accepted. RxScale documents no compression, and
 * the signature covers the bytes it sends: verifying a body we inflated first
 * would be guessing at what was signed.
 */
export function isIdentityEncoding(value: string | null): boolean {
  if (value === null) return true;
  return value
    .split(",")
    .map((part) => part.trim().toLowerCase())
    .every((coding) => coding === "" || coding === "identity");
}
