import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { EventEmitter } from "node:events";

/*
 * In-process wake-up between ingest and the inbox worker: ingest signals after
 * committing new events, so the worker starts at once instead of waiting for
 * its next poll. Losing a signal is harmless — the poll still finds the work.
 */
const emitter = processSingleton<EventEmitter>("rxwatchInboxSignal", () => new EventEmitter().setMaxListeners(50));

/** Called by ingest after a commit that created at least one event. */
export function signalNewEvents(count: number): void {
  emitter.emit("new-events", count);
}

/** Subscribes to new-event signals; returns the unsubscribe function. */
export function onNewEvents(listener: (count: number) => void): () => void {
  emitter.on("new-events", listener);
  return () => emitter.off("new-events", listener);
}
