import type { IncomingMessage, ServerResponse } from "node:http";

/** Largest request body the emulator reads; RxScale's own limit is not documented. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export type BodyResult = { kind: "empty" } | { kind: "json"; value: unknown } | { kind: "invalid_json" } | { kind: "too_large" };

/** Reads and parses a JSON request body; an empty body is `empty`, not an error (DELETE and POST /test may send none). */
export async function readJsonBody(request: IncomingMessage): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_REQUEST_BODY_BYTES) return { kind: "too_large" };
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return { kind: "empty" };
  try {
    return { kind: "json", value: JSON.parse(text) };
  } catch {
    return { kind: "invalid_json" };
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

export function sendEmpty(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, headers);
  response.end();
}

/** The path without trailing slashes, so `/x/` and `/x` route alike (RxScale's docs use both, docs/rxscale.md#notification-subscriptions). */
export function normalisePath(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
