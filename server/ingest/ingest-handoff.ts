import "server-only";
import { reportIngestQueueLength } from "@/server/core/metrics";
import { processSlot } from "@/server/core/process-slot";
import { currentRequestId } from "@/server/core/request-context";
import type { ReadWebhook, StoredWebhook } from "@/server/ingest/receive-webhook";

/*
 * The main thread's side of ingest in the processing thread: each webhook
 * request, once its body is read, is sent there to be verified, read and
 * committed, and its answer comes back here by id. The main thread's event
 * loop serves every page and API request too; on two cores it was the
 * bottleneck of ingest, while the processing thread's core had time to spare.
 * docs/ingest.md#the-processing-thread
 */

/** A request as sent to the processing thread (see thread-messages.ts). */
export interface HandedOffWebhook {
  id: number;
  webhook: ReadWebhook;
  /** The main thread's request id, so the thread's log lines carry it too. */
  requestId: string | undefined;
}

/** The processing thread's answer to a {@link HandedOffWebhook}. */
export interface HandedBackWebhook {
  id: number;
  stored: StoredWebhook;
  /** Deliveries waiting in the thread's group commit, for the ingest queue gauge. */
  queuedDeliveries: number;
}

export type HandOff =
  | { kind: "stored"; stored: StoredWebhook }
  /** No processing thread takes ingest now (RXWATCH_PROCESSING_THREAD=0, tests, or between a crash and the restart): store it here. */
  | { kind: "no-thread" }
  /** The thread ended before it answered: whether the delivery was committed is unknown, so nothing may be acknowledged. */
  | { kind: "thread-ended" }
  /** The thread did not answer within {@link HANDOFF_ANSWER_TIMEOUT_MS} (it may hang): as unknown as an ended thread. */
  | { kind: "no-answer" };

/**
 * How long a request waits for the processing thread's answer. A commit takes
 * milliseconds, and a busy thread answers within a second or two; a request
 * that waits longer is answered 503 rather than held until the sender gives up.
 */
export const HANDOFF_ANSWER_TIMEOUT_MS = 30_000;

interface Link {
  send: (request: HandedOffWebhook) => void;
  waiting: Map<number, (handOff: HandOff) => void>;
  /** Kept here, not in a module variable: each route bundle has its own copy of this module, and ids must not repeat. */
  nextId: number;
  queuedDeliveries: number;
}

// One per process (see server/core/process-slot.ts): the webhook route's bundle must find the link start.ts made.
const linkSlot = processSlot<Link>("rxwatchIngestHandoff");

/** Sends a read webhook to the processing thread and resolves with its answer; `no-thread` at once when none is connected. */
export function handOffToProcessingThread(webhook: ReadWebhook): Promise<HandOff> {
  const link = linkSlot.value;
  if (!link) return Promise.resolve({ kind: "no-thread" });
  const id = link.nextId++;
  return new Promise<HandOff>((resolve) => {
    const timer = setTimeout(() => {
      link.waiting.delete(id);
      resolve({ kind: "no-answer" });
    }, HANDOFF_ANSWER_TIMEOUT_MS);
    link.waiting.set(id, (handOff) => {
      clearTimeout(timer);
      resolve(handOff);
    });
    link.send({ id, webhook, requestId: currentRequestId() });
  });
}

export interface IngestThreadLink {
  /** Routes an answer from the thread to the request waiting for it. */
  answer(handedBack: HandedBackWebhook): void;
  /** The thread ended: the requests still waiting get `thread-ended`, and new ones are stored on this thread until a thread connects again. */
  disconnect(): void;
}

/** Makes the processing thread take the webhooks this process receives from now on (server/processing/start.ts, once the thread has started). */
export function connectIngestThread(send: (request: HandedOffWebhook) => void): IngestThreadLink {
  const link: Link = { send, waiting: new Map(), nextId: 1, queuedDeliveries: 0 };
  linkSlot.value = link;
  reportIngestQueueLength("processing thread", () => link.queuedDeliveries);
  return {
    answer({ id, stored, queuedDeliveries }) {
      link.queuedDeliveries = queuedDeliveries;
      const resolve = link.waiting.get(id);
      link.waiting.delete(id);
      resolve?.({ kind: "stored", stored });
    },
    disconnect() {
      if (linkSlot.value === link) linkSlot.value = undefined;
      link.queuedDeliveries = 0;
      for (const resolve of link.waiting.values()) resolve({ kind: "thread-ended" });
      link.waiting.clear();
    },
  };
}
