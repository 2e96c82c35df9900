import "server-only";
import { EventEmitter } from "node:events";
import type { SettingsKey } from "@/lib/settings";
import { processSingleton } from "@/server/core/process-slot";

/*
 * Announces that this thread changed something a cache holds, so the copies
 * another thread keeps (the processing thread's ingest: signing secrets and
 * settings) are dropped at once rather than when they expire.
 */

/** A cached thing that changed: the signing secrets, or one settings document. */
export type CacheChange = { kind: "signing-secrets" } | { kind: "settings"; key: SettingsKey };

const emitter = processSingleton<EventEmitter>("rxwatchCacheChanges", () => new EventEmitter());

export function announceCacheChange(change: CacheChange): void {
  emitter.emit("change", change);
}

/** Subscribes to this thread's cache changes; returns the unsubscribe function. */
export function onCacheChange(listener: (change: CacheChange) => void): () => void {
  emitter.on("change", listener);
  return () => emitter.off("change", listener);
}
