import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { MAX_JSON_BODY_BYTES, readJson, withSameOriginBody } from "@/server/http/route-handler";

const anything = z.unknown();

/** A POST whose body arrives in `chunkBytes` pieces with no Content-Length, counting the bytes pulled. */
function streamedPost(totalBytes: number, chunkBytes: number, headers: Record<string, string> = {}): { request: Request; bytesPulled: () => number } {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      const size = Math.min(chunkBytes, totalBytes - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
  }, { highWaterMark: 0 });
  // `duplex` is required by Node for stream bodies but missing from the DOM typings.
  const init: RequestInit & { duplex: "half" } = { method: "POST", headers: { "content-type": "application/json", ...headers }, body: stream, duplex: "half" };
  return { request: new Request("http://rxwatch.test/api/x", init), bytesPulled: () => sent };
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    return z.object({ code: z.string(), status: z.number() }).parse(error);
  }
  throw new Error("expected a rejection");
}

describe("readJson", () => {
  it("parses a body within the limit", async () => {
    const request = new Request("http://rxwatch.test/api/x", { method: "POST", body: JSON.stringify({ name: "ok" }) });
    await expect(readJson(request, z.object({ name: z.string() }))).resolves.toEqual({ name: "ok" });
  });

  it("refuses a streamed body without Content-Length as soon as it passes the limit, leaving the rest unread", async () => {
    const { request, bytesPulled } = streamedPost(10 * MAX_JSON_BODY_BYTES, 4096);
    expect(await rejection(readJson(request, anything))).toEqual(expect.objectContaining({ code: "payload_too_large", status: 413 }));
    expect(bytesPulled()).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES + 2 * 4096);
  });

  it("refuses a declared oversized body without reading it", async () => {
    const { request, bytesPulled } = streamedPost(MAX_JSON_BODY_BYTES + 1, 4096, { "content-length": String(MAX_JSON_BODY_BYTES + 1) });
    expect(await rejection(readJson(request, anything))).toEqual(expect.objectContaining({ code: "payload_too_large" }));
    expect(bytesPulled()).toBe(0);
  });

  it("does not trust a Content-Length that understates the body", async () => {
    const { request } = streamedPost(MAX_JSON_BODY_BYTES + 100, 1024, { "content-length": "2" });
    expect(await rejection(readJson(request, anything))).toEqual(expect.objectContaining({ code: "payload_too_large" }));
  });

  it("honours a route's own limit", async () => {
    const body = JSON.stringify({ padding: "x".repeat(200) });
    const small = new Request("http://rxwatch.test/api/x", { method: "POST", body });
    expect(await rejection(readJson(small, anything, { maxBytes: 100 }))).toEqual(expect.objectContaining({ code: "payload_too_large" }));
    const large = new Request("http://rxwatch.test/api/x", { method: "POST", body: JSON.stringify({ padding: "x".repeat(MAX_JSON_BODY_BYTES) }) });
    await expect(readJson(large, anything, { maxBytes: 2 * MAX_JSON_BODY_BYTES })).resolves.toBeTruthy();
  });

  it("answers 400 for malformed JSON", async () => {
    const request = new Request("http://rxwatch.test/api/x", { method: "POST", body: "{nope" });
    expect(await rejection(readJson(request, anything))).toEqual(expect.objectContaining({ code: "invalid_request", status: 400 }));
  });
});

describe("withSameOriginBody", () => {
  const echo = vi.fn(async (request: Request) => Response.json({ received: await request.text() }));
  const guarded = withSameOriginBody(echo, { maxBytes: 64 });

  it("passes a same-origin change with its body through", async () => {
    const response = await guarded(new Request("http://rxwatch.test/api/auth/sign-in/email", { method: "POST", headers: { host: "rxwatch.test", origin: "http://rxwatch.test" }, body: '{"a":1}' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: '{"a":1}' });
  });

  it("refuses a change from another site even without a cookie, before the handler runs", async () => {
    echo.mockClear();
    const response = await guarded(new Request("http://rxwatch.test/api/auth/sign-in/email", { method: "POST", headers: { host: "rxwatch.test", origin: "https://evil.example" }, body: "{}" }));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: "csrf_failed" }) });
    expect(echo).not.toHaveBeenCalled();
  });

  it("answers 413 with the error envelope for a body over the limit", async () => {
    const { request } = streamedPost(1000, 100, { host: "rxwatch.test", origin: "http://rxwatch.test" });
    const response = await guarded(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: "payload_too_large", message: expect.stringContaining("64 bytes") }) });
  });

  it("lets reads through untouched", async () => {
    const response = await guarded(new Request("http://rxwatch.test/api/auth/get-session", { headers: { origin: "https://evil.example" } }));
    expect(response.status).toBe(200);
  });
});
