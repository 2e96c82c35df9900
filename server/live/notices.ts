import "server-only";
import { EventEmitter } from "node:events";
import type { ChangeNotice } from "@/lib/live";
import { currentProvider } from "@/server/db";
import { log } from "@/server/logger";
import { deleteChangeNoticesBefore, insertChangeNotices, latestChangeNoticeId, listChangeNoticesAfter } from "@/server/repositories/change-notices";

/*
 * Change notices for live pages. Each is stored (so a reconnecting browser
 * resumes from its Last-Event-ID) and fanned out in-process to open streams.
 * On PostgreSQL other instances write notices too, so a pump tails the table
 * and forwards what this process did not publish itself.
 */

export interface SequencedNotice extends ChangeNotice {
  id: number;
}

/** How long stored notices are kept for resuming streams. */
const NOTICE_RETENTION_MS = 60 * 60 * 1000;
const PUMP_INTERVAL_MS = 250;

interface LiveState {
  emitter: EventEmitter;
  /** Highest notice id the pump has read. */
  lastForwardedId: number;
  /** Ids this process already emitted itself, so the pump does not send them twice. */
  emittedHere: Set<number>;
  pump: ReturnType<typeof setInterval> | null;
  lastPrune: number;
}

const globalForLive = globalThis as unknown as { rxwatchLive?: LiveState };
const state: LiveState = (globalForLive.rxwatchLive ??= { emitter: new EventEmitter().setMaxListeners(0), lastForwardedId: 0, emittedHere: new Set(), pump: null, lastPrune: 0 });

/** Emits what the pump read from the table, skipping what this process published itself. */
function forward(notices: readonly SequencedNotice[]): void {
  for (const notice of notices) {
    state.lastForwardedId = Math.max(state.lastForwardedId, notice.id);
    if (state.emittedHere.delete(notice.id)) continue;
    state.emitter.emit("notice", notice);
  }
}

function toNotice(row: { id: number; kind: string; key: string }): SequencedNotice | null {
  return row.kind === "order" || row.kind === "delivery" ? { id: row.id, kind: row.kind, key: row.key } : null;
}

/** Stores notices and tells this process's open streams at once. Failures are logged, never thrown: live updates are best effort. */
export async function publishChanges(notices: readonly ChangeNotice[]): Promise<void> {
  if (notices.length === 0) return;
  try {
    const stored = (await insertChangeNotices(notices)).map(toNotice).filter((notice): notice is SequencedNotice => notice !== null);
    for (const notice of stored) {
      // The pump (PostgreSQL, once a stream is open) would otherwise send these again.
      if (state.pump) state.emittedHere.add(notice.id);
      state.emitter.emit("notice", notice);
    }
    if (Date.now() - state.lastPrune > 60_000) {
      state.lastPrune = Date.now();
      await deleteChangeNoticesBefore(new Date(Date.now() - NOTICE_RETENTION_MS));
    }
  } catch (error) {
    log("warn", "live notice not published", { error: error instanceof Error ? error.name : "unknown" });
  }
}

function ensurePump(): void {
  if (state.pump || currentProvider() === "sqlite") return;
  void latestChangeNoticeId().then((id) => {
    state.lastForwardedId = Math.max(state.lastForwardedId, id);
  });
  state.pump = setInterval(() => {
    listChangeNoticesAfter(state.lastForwardedId, 500)
      .then((rows) => forward(rows.map(toNotice).filter((notice): notice is SequencedNotice => notice !== null)))
      .catch(() => undefined);
  }, PUMP_INTERVAL_MS);
  state.pump.unref();
}

/** Subscribes to notices published from now on; returns the unsubscribe function. */
export function subscribeToChanges(listener: (notice: SequencedNotice) => void): () => void {
  ensurePump();
  state.emitter.on("notice", listener);
  return () => state.emitter.off("notice", listener);
}

/** Stored notices after `afterId` (for a resuming stream), oldest first. */
export async function changesSince(afterId: number, limit: number): Promise<SequencedNotice[]> {
  return (await listChangeNoticesAfter(afterId, limit)).map(toNotice).filter((notice): notice is SequencedNotice => notice !== null);
}

/** The newest notice id; a stream without Last-Event-ID starts after it. */
export async function currentChangeId(): Promise<number> {
  return latestChangeNoticeId();
}
