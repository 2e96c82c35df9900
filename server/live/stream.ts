import "server-only";
import { CHANGE_EVENT } from "@/lib/live";
import { metrics } from "@/server/core/metrics";
import { changesSince, currentChangeId, subscribeToChanges, type SequencedNotice } from "@/server/live/notices";

/** Comment lines keep proxies from closing an idle stream and let the browser notice a dead one. */
export const HEARTBEAT_MS = 15_000;
/** A resuming browser gets at most this many missed notices; more means "reload everything". */
const MAX_REPLAY = 1_000;
/** A client that has not read this many queued bytes is too slow: the stream is closed and it reconnects. */
const MAX_BUFFERED_BYTES = 256 * 1024;

const encoder = new TextEncoder();

/** `resumeId` is the highest id sent so far, so Last-Event-ID never moves backwards when a late notice arrives. */
function frame(notice: SequencedNotice, resumeId: number): Uint8Array {
  return encoder.encode(`id: ${resumeId}\nevent: ${CHANGE_EVENT}\ndata: ${JSON.stringify({ kind: notice.kind, key: notice.key })}\n\n`);
}

/** Parses Last-Event-ID; anything but a non-negative integer means "no resume point". */
export function parseLastEventId(value: string | null): number | null {
  if (!value || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

/**
 * A server-sent events stream of change notices. Resumes after
 * `lastEventId` by replaying stored notices first; sends a heartbeat comment
 * periodically; and gives up on a client that stops reading (back-pressure)
 * rather than buffering without bound — the browser reconnects and resumes.
 * `onEnd` runs when the stream ends for any reason (it may run more than once).
 */
export function openChangeStream(lastEventId: number | null, signal: AbortSignal, onEnd: () => void = () => undefined): ReadableStream<Uint8Array> {
  let unsubscribe: (() => void) | null = null;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let isCounted = false;
  let isEnded = false;

  const cleanup = () => {
    isEnded = true;
    onEnd();
    if (isCounted) metrics().sseClients.dec();
    isCounted = false;
    unsubscribe?.();
    unsubscribe = null;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  };

  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        metrics().sseClients.inc();
        isCounted = true;
        // Listen first: a client that leaves while the replay is read must still give back its subscription and slot.
        const end = () => {
          cleanup();
          try {
            controller.close();
          } catch {
            // Already closed or errored.
          }
        };
        if (signal.aborted) return end();
        signal.addEventListener("abort", end, { once: true });
        const send = (bytes: Uint8Array) => {
          if ((controller.desiredSize ?? 0) <= 0) {
            cleanup();
            controller.error(new Error("client too slow"));
            return;
          }
          controller.enqueue(bytes);
        };
        let lastSent = lastEventId ?? (await currentChangeId());
        if (isEnded) return;
        const pending: SequencedNotice[] = [];
        /** What the replay sent: a live notice is a duplicate only if it is one of these. */
        const replayed = new Set<number>();
        let isReplaying = true;
        // Ids are not committed in order across instances: a live notice below lastSent can still be new
        // (server/live/notices.ts re-reads such gaps), so live notices are sent unless the replay sent them.
        const sendLive = (notice: SequencedNotice) => {
          if (replayed.has(notice.id)) return;
          lastSent = Math.max(lastSent, notice.id);
          send(frame(notice, lastSent));
        };
        // Subscribe before replaying so nothing published in between is missed.
        unsubscribe = subscribeToChanges((notice) => {
          if (isReplaying) pending.push(notice);
          else sendLive(notice);
        });
        controller.enqueue(encoder.encode(`retry: 2000\n: connected\n\n`));
        if (lastEventId !== null) {
          for (const notice of await changesSince(lastEventId, MAX_REPLAY)) {
            lastSent = Math.max(lastSent, notice.id);
            replayed.add(notice.id);
            send(frame(notice, lastSent));
          }
        }
        isReplaying = false;
        for (const notice of pending) sendLive(notice);
        if (isEnded) return;
        heartbeat = setInterval(() => send(encoder.encode(`: heartbeat\n\n`)), HEARTBEAT_MS);
      },
      cancel() {
        cleanup();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: MAX_BUFFERED_BYTES }),
  );
}
