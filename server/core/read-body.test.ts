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

  it("gives up on a body that is not complete by the deadline, keeping what arrived", async () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // One chunk, then nothing more: a sender that stalls mid-body.
        if (!sent) controller.enqueue(new Uint8Array(10).fill(66));
        sent = true;
        return new Promise(() => {});
      },
    });
    const init: RequestInit & { duplex: "half" } = { method: "POST", body, headers: { "content-length": "100" }, duplex: "half" };
    const result = await readCappedBody(new Request("http://localhost/", init), 1_000, { timeoutMs: 50 });
    expect(result).toEqual({ kind: "timeout", bytes: new Uint8Array(10).fill(66) });
  });

  it("reads a body that ends short of its Content-Length as aborted", async () => {
    const { request } = streamingRequest(40, 10, { "content-length": "100" });
    expect(await readCappedBody(request, 1_000)).toEqual({ kind: "aborted", bytes: new Uint8Array(40).fill(65) });
  });

  it("reads a body whose stream fails midway as aborted, keeping what arrived", async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        if (pulls === 1) controller.enqueue(new Uint8Array(5).fill(67));
        else controller.error(new Error("aborted"));
      },
    });
    const init: RequestInit & { duplex: "half" } = { method: "POST", body, duplex: "half" };
    expect(await readCappedBody(new Request("http://localhost/", init), 1_000)).toEqual({ kind: "aborted", bytes: new Uint8Array(5).fill(67) });
  });

  it("reads an absent body as empty", async () => {
    expect(await readCappedBody(new Request("http://localhost/", { method: "POST" }), 10)).toEqual({ kind: "ok", bytes: new Uint8Array(0) });
  });
});
