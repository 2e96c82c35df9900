import "server-only";
import { SHUTDOWN_EVENT } from "@/lib/live";
import { onDrain } from "@/server/core/shutdown";

/** Reconnect soon: the instance is going away, another (or this one restarted) will answer. */
const RECONNECT_AFTER_MS = 1_000;
const FINAL_FRAME = new TextEncoder().encode(`retry: ${RECONNECT_AFTER_MS}\nevent: ${SHUTDOWN_EVENT}\ndata: {}\n\n`);

/**
 * Passes `stream` through until a shutdown begins, then sends the final
 * shutdown frame, ends the response and cancels `stream` (which releases its
 * subscription and timers). Without this, an open live stream would hold the
 * HTTP server open until the shutdown deadline.
 */
export function endOnShutdown(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  let stopListening: () => void = () => undefined;
  let isEnded = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stopListening = onDrain(() => {
        if (isEnded) return;
        isEnded = true;
        try {
          controller.enqueue(FINAL_FRAME);
          controller.close();
        } catch {
          // The client left already.
        }
        void reader.cancel().catch(() => undefined);
      });
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (isEnded) return;
        if (done) {
          isEnded = true;
          stopListening();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        if (isEnded) return;
        isEnded = true;
        stopListening();
        controller.error(error);
      }
    },
    cancel(reason) {
      isEnded = true;
      stopListening();
      return reader.cancel(reason);
    },
  });
}
