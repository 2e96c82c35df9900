import "server-only";
import { env } from "@/server/core/env";

/**
 * What reading a body gave. `timeout` and `aborted` carry the bytes that did
 * arrive (never more than the cap), so a caller can record their size and hash.
 * - `timeout`: the body was not complete within the read deadline;
 * - `aborted`: the client went away (or the stream failed) before the body was complete.
 */
export type CappedBody =
  | { kind: "ok"; bytes: Uint8Array }
  | { kind: "too_large"; bytesRead: number }
  | { kind: "timeout"; bytes: Uint8Array }
  | { kind: "aborted"; bytes: Uint8Array };

export interface ReadBodyOptions {
  /** Time allowed for the whole body; RXWATCH_BODY_READ_TIMEOUT_SECONDS unless given. */
  timeoutMs?: number;
}

function joined(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function declaredLength(request: Request): number | null {
  const declared = request.headers.get("content-length")?.trim();
  return declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : null;
}

const TIMED_OUT = Symbol("timed out");

/**
 * The one reader of untrusted request bodies. Reads at most `maxBytes`: a
 * Content-Length over the limit is refused without reading anything; a body
 * that turns out longer (no or a false Content-Length, chunked encoding) is
 * refused as soon as the limit is crossed and the rest is never read. The
 * whole body must arrive within the read deadline, so a client sending a byte
 * at a time cannot hold the request (and its memory) for minutes; a body that
 * ends short of its Content-Length, or whose stream fails, was aborted.
 */
export async function readCappedBody(request: Request, maxBytes: number, { timeoutMs = env().RXWATCH_BODY_READ_TIMEOUT_SECONDS * 1000 }: ReadBodyOptions = {}): Promise<CappedBody> {
  const declared = declaredLength(request);
  if (declared !== null && declared > maxBytes) return { kind: "too_large", bytesRead: 0 };
  if (request.body === null) return { kind: "ok", bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array> | typeof TIMED_OUT;
      try {
        next = await Promise.race([reader.read(), deadline]);
      } catch {
        return { kind: "aborted", bytes: joined(chunks, total) };
      }
      // The reader is left as it is: cancelling it would close the connection before the 408 is sent.
      if (next === TIMED_OUT) return { kind: "timeout", bytes: joined(chunks, total) };
      if (next.done) break;
      total += next.value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return { kind: "too_large", bytesRead: total };
      }
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  const bytes = joined(chunks, total);
  if ((declared !== null && total < declared) || request.signal.aborted) return { kind: "aborted", bytes };
  return { kind: "ok", bytes };
}
