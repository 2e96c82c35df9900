import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { EventEmitter } from "node:events";
import type { ChangeNotice } from "@/lib/live";
import { currentProvider } from "@/server/core/db";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import {
  deleteChangeNoticesBefore,
  insertChangeNotices,
  latestChangeNoticeId,
  listChangeNoticesAfter,
  listChangeNoticesById,
  listenForChangeNotices,
  type ChangeListener,
} from "@/server/repositories/change-notices";

// Change notices are stored (a reconnecting browser resumes from Last-Event-ID) and
// fanned out in-process; on PostgreSQL, LISTEN/NOTIFY plus a safety poll bring in
// other instances' notices. See docs/operations.md#running-several-instances

export interface SequencedNotice extends ChangeNotice {
  id: number;
}

/** How long stored notices are kept for resuming streams. */
const NOTICE_RETENTION_MS = 60 * 60 * 1000;
/** The pump reads the table this often even without notifications (a NOTIFY can be lost while LISTEN reconnects). */
export const SAFETY_POLL_MS = 5_000;
const PUMP_BATCH = 500;
/**
 * A notice id below the highest one read may still be uncommitted (ids come
 * from a sequence; two instances' inserts commit in either order). Such gaps
 * are re-read for this long, then given up (a rolled-back insert leaves a
 * permanent gap).
 */
const GAP_RECHECK_MS = 10_000;
const MAX_TRACKED_GAPS = 1_000;

interface LiveState {
  emitter: EventEmitter;
  /** Highest notice id the pump has read. */
  lastForwardedId: number;
  /** Ids this process already emitted itself, so the pump does not send them twice. */
  emittedHere: Set<number>;
  /** Ids below lastForwardedId not seen yet, with when they were first missed. */
  gaps: Map<number, number>;
  pump: { poll: ReturnType<typeof setInterval>; listener: ChangeListener | null; ready: Promise<void>; isReading: boolean; isReadAgain: boolean } | null;
  lastPrune: number;
  /** Listeners handing this thread's notices to another thread (onNoticesPublishedHere). */
  publishedHere: Set<(notices: readonly SequencedNotice[]) => void>;
}

const state: LiveState = processSingleton<LiveState>("rxwatchLive", () => ({
  emitter: new EventEmitter().setMaxListeners(0),
  lastForwardedId: 0,
  emittedHere: new Set(),
  gaps: new Map(),
  pump: null,
  lastPrune: 0,
  publishedHere: new Set(),
}));

/** Bounded: an id the pump never reads back (it started after the insert) must not stay forever. */
const MAX_EMITTED_HERE = 10_000;
function rememberEmittedHere(id: number): void {
  state.emittedHere.add(id);
  if (state.emittedHere.size <= MAX_EMITTED_HERE) return;
  const oldest = state.emittedHere.values().next();
  if (!oldest.done) state.emittedHere.delete(oldest.value);
}

function emitUnlessOwn(notice: SequencedNotice): void {
  if (state.emittedHere.delete(notice.id)) return;
  state.emitter.emit("notice", notice);
}

/** Emits what the pump read after lastForwardedId, remembering the ids it skipped over as gaps. */
function forward(notices: readonly SequencedNotice[], now: number): void {
  for (const notice of notices) {
    if (notice.id <= state.lastForwardedId) continue;
    for (let missing = Math.max(state.lastForwardedId + 1, notice.id - MAX_TRACKED_GAPS); missing < notice.id && state.gaps.size < MAX_TRACKED_GAPS; missing++) {
      state.gaps.set(missing, now);
    }
    state.lastForwardedId = notice.id;
    emitUnlessOwn(notice);
  }
}

function toNotice(row: { id: number; kind: string; key: string }): SequencedNotice | null {
  return row.kind === "order" || row.kind === "delivery" ? { id: row.id, kind: row.kind, key: row.key } : null;
}

function toNotices(rows: readonly { id: number; kind: string; key: string }[]): SequencedNotice[] {
  return rows.map(toNotice).filter((notice): notice is SequencedNotice => notice !== null);
}

/** Stores notices and tells this process's open streams at once. Failures are logged, never thrown: live updates are best effort. */
export async function publishChanges(notices: readonly ChangeNotice[]): Promise<void> {
  if (notices.length === 0) return;
  try {
    const stored = toNotices(await insertChangeNotices(notices));
    announceStoredNotices(stored);
    for (const listener of state.publishedHere) listener(stored);
    if (Date.now() - state.lastPrune > 60_000) {
      state.lastPrune = Date.now();
      await deleteChangeNoticesBefore(new Date(Date.now() - NOTICE_RETENTION_MS));
    }
  } catch (error) {
    log("warn", "live notice not published", { error: error instanceof Error ? error.name : "unknown" });
  }
}

/**
 * Tells this thread's open streams about notices stored by another thread of
 * this process (the processing thread, server/processing/processing-thread.ts),
 * or by publishChanges itself.
 */
export function announceStoredNotices(notices: readonly SequencedNotice[]): void {
  for (const notice of notices) {
    if (state.pump) {
      // Already sent by the pump (PostgreSQL), which read it before this announcement came in.
      if (notice.id <= state.lastForwardedId && !state.gaps.has(notice.id)) continue;
      // The pump would otherwise send it again.
      rememberEmittedHere(notice.id);
    }
    state.emitter.emit("notice", notice);
  }
}

/** Calls `listener` with the notices each publishChanges of this thread stored; returns the unsubscribe function. */
export function onNoticesPublishedHere(listener: (notices: readonly SequencedNotice[]) => void): () => void {
  state.publishedHere.add(listener);
  return () => state.publishedHere.delete(listener);
}

/** Reads what other instances committed since the last read (and late-committed gaps), and emits it. */
async function readNewNotices(): Promise<void> {
  for (;;) {
    const rows = await listChangeNoticesAfter(state.lastForwardedId, PUMP_BATCH);
    forward(toNotices(rows), Date.now());
    if (rows.length < PUMP_BATCH) break;
  }
  const now = Date.now();
  for (const [id, missedAt] of state.gaps) if (now - missedAt > GAP_RECHECK_MS) state.gaps.delete(id);
  if (state.gaps.size === 0) return;
  for (const notice of toNotices(await listChangeNoticesById([...state.gaps.keys()]))) {
    state.gaps.delete(notice.id);
    emitUnlessOwn(notice);
  }
}

/** Runs a read now, or once more after the running one, so a burst of notifications costs at most two reads. */
function wakePump(): void {
  const pump = state.pump;
  if (!pump) return;
  if (pump.isReading) {
    pump.isReadAgain = true;
    return;
  }
  pump.isReading = true;
  void pump.ready
    .then(async () => {
      do {
        pump.isReadAgain = false;
        await readNewNotices();
      } while (pump.isReadAgain);
    })
    .catch((error: unknown) => log("warn", "live notices not read", { error: error instanceof Error ? error.name : "unknown" }))
    .finally(() => {
      pump.isReading = false;
    });
}

function ensurePump(): void {
  if (state.pump || currentProvider() === "sqlite") return;
  // Start after the newest stored notice; reading before this is known would replay the whole table.
  const ready = latestChangeNoticeId().then((id) => {
    state.lastForwardedId = Math.max(state.lastForwardedId, id);
  });
  const poll = setInterval(wakePump, SAFETY_POLL_MS);
  poll.unref();
  state.pump = { poll, listener: null, ready, isReading: false, isReadAgain: false };
  state.pump.listener = listenForChangeNotices(
    env().DATABASE_URL,
    {
      onNotification: (id) => {
        if (id > state.lastForwardedId || state.gaps.has(id)) wakePump();
      },
      onListening: wakePump,
    },
    (reason) => log("warn", "live notifications interrupted; reconnecting", { reason }),
  );
}

/** Subscribes to notices published from now on; returns the unsubscribe function. */
export function subscribeToChanges(listener: (notice: SequencedNotice) => void): () => void {
  ensurePump();
  state.emitter.on("notice", listener);
  return () => state.emitter.off("notice", listener);
}

/** Stored notices after `afterId` (for a resuming stream), oldest first. */
export async function changesSince(afterId: number, limit: number): Promise<SequencedNotice[]> {
  return toNotices(await listChangeNoticesAfter(afterId, limit));
}

/** The newest notice id; a stream without Last-Event-ID starts after it. */
export async function currentChangeId(): Promise<number> {
  return latestChangeNoticeId();
}

/** Stops listening and polling (shutdown; tests). Streams still open get nothing more from other instances. */
export async function stopChangePump(): Promise<void> {
  const pump = state.pump;
  state.pump = null;
  if (!pump) return;
  clearInterval(pump.poll);
  await pump.listener?.stop();
}
