import { describe, expect, it } from "vitest";
import { readCappedBody } from "./read-body";

function streamingRequest(totalBytes: number, chunkBytes: number, headers: Record<string, string> = {}) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= totalBytes) return controller.close();
      const size = Math.min(chunkBytes, totalBytes - pulled);
      pulled += size;
      controller.enqueue(new Uint8Array(size).fill(65));
    },
  });
  const init: RequestInit & { duplex: "half" } = { method: "POST", body, headers, duplex: "half" };
  return { request: new Request("http://localhost/", init), pulled: () => pulled };
}

describe("readCappedBody", () => {
  it("returns the whole body when it fits, however it is chunked", async () => {
    const { request } = streamingRequest(10_000, 999);
    const result = await readCappedBody(request, 10_000);
    expect(result.kind).toBe("ok");
    if (result.kind === "ok") expect(result.bytes.byteLength).toBe(10_000);
  });

  it("refuses from Content-Length alone without reading the body", async () => {
    const { request, pulled } = streamingRequest(5_000, 1_000, { "content-length": "5000" });
    expect(await readCappedBody(request, 4_999)).toEqual({ kind: "too_large", bytesRead: 0 });
    expect(pulled()).toBeLessThanOrEqual(1_000);
  });

  it("stops reading a body without Content-Length as soon as it passes the cap", async () => {
    const { request, pulled } = streamingRequest(100 * 1024 * 1024, 64 * 1024);
    const result = await readCappedBody(request, 1024 * 1024);
    expect(result.kind).toBe("too_large");
    expect(pulled()).toBeLessThanOrEqual(1024 * 1024 + 3 * 64 * 1024);
  });

  it("reads an absent body as empty", async () => {
    expect(await readCappedBody(new Request("http://localhost/", { method: "POST" }), 10)).toEqual({ kind: "ok", bytes: new Uint8Array(0) });
  });
});
