import "server-only";

export type CappedBody = { kind: "ok"; bytes: Uint8Array } | { kind: "too_large"; bytesRead: number };

/**
 * Reads a request body of at most `maxBytes`. A Content-Length over the limit
 * is refused without reading anything; a body that turns out longer (no or a
 * false Content-Length, chunked encoding) is refused as soon as the limit is
 * crossed and the rest is never read. Either way nothing beyond `maxBytes` is
 * held in memory.
 */
export async function readCappedBody(request: Request, maxBytes: number): Promise<CappedBody> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) return { kind: "too_large", bytesRead: 0 };
  if (request.body === null) return { kind: "ok", bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return { kind: "too_large", bytesRead: total };
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return { kind: "ok", bytes: chunks[0] };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { kind: "ok", bytes };
}
