import "server-only";
import { reportIngestQueueLength } from "@/server/core/metrics";
import { processSlot } from "@/server/core/process-slot";
import { performance } from "node:perf_hooks";
import { driverErrorCause } from "@/server/core/driver-error";
import { env } from "@/server/core/env";
import { publishChanges } from "@/server/live/notices";
import { log } from "@/server/core/logger";
import { signalNewEvents } from "@/server/processing/inbox-signal";
import { commitDeliveries, deliveryCommitConcurrency, type AckTime, type DeliveryWrite, type StoredDelivery } from "@/server/repositories/deliveries";
import { GroupCommitter } from "@/server/ingest/group-commit";
import { onShutdown } from "@/server/core/shutdown";

/*
 * The single path by which deliveries reach the database: every request's
 * Delivery row (and, for a well-formed one, its event) goes through one
 * process-wide group committer. The acknowledgement time is measured after
 * the commit the acknowledgement waited for, so it is written afterwards,
 * riding along with the next batch's transaction (or on its own after
 * ACK_TIME_FLUSH_MS of quiet).
 */

/** Ack times waiting longer than this for a batch to ride along with are written on their own. */
export const ACK_TIME_FLUSH_MS = 1_000;
/** Ack times held at most; beyond this (a long outage) the oldest are dropped — the column is diagnostic. */
const MAX_PENDING_ACK_TIMES = 10_000;
/**
 * Ack times ride along only once this many have gathered, and at most this
 * many per statement: one UPDATE per few batches instead of one per batch
 * (each statement costs the event loop more than its rows do), and its
 * `CASE id WHEN …` list stays short.
 */
const ACK_TIMES_PER_WRITE = 128;
/**
 * At most one "deliveries changed" notice per this interval, carrying the
 * newest delivery's id. A notice is a stored row, i.e. a write on the
 * connection the next batch is waiting for, so one per delivery or per batch
 * would tax ingest; the deliveries list only needs to know that something arrived.
 */
const DELIVERY_NOTICE_INTERVAL_MS = 250;

interface Submission {
  write: DeliveryWrite;
  startedAt: number;
}

interface RecorderState {
  committer: GroupCommitter<Submission, StoredDelivery>;
  ackTimes: AckTime[];
  ackTimer: ReturnType<typeof setTimeout> | null;
  noticeTimer: ReturnType<typeof setTimeout> | null;
  newestDeliveryId: string | null;
}

function takeAckTimes(state: RecorderState, isIdle = false): AckTime[] {
  if (!isIdle && state.ackTimes.length < ACK_TIMES_PER_WRITE) return [];
  return state.ackTimes.splice(0, ACK_TIMES_PER_WRITE);
}

function scheduleAckTimeFlush(state: RecorderState): void {
  if (state.ackTimer !== null) return;
  state.ackTimer = setTimeout(() => {
    state.ackTimer = null;
    if (state.ackTimes.length === 0) return;
    const ackTimes = takeAckTimes(state, true);
    commitDeliveries([], ackTimes)
      .catch((error: unknown) => log("warn", "could not record acknowledgement times", { count: ackTimes.length, error: error instanceof Error ? error.name : "unknown" }))
      .finally(() => {
        if (state.ackTimes.length > 0) scheduleAckTimeFlush(state);
      });
  }, ACK_TIME_FLUSH_MS);
  state.ackTimer.unref();
}

/** Tells live pages, after the acknowledgement and off its path, that deliveries were stored. */
function scheduleDeliveryNotice(state: RecorderState, newestDeliveryId: string): void {
  state.newestDeliveryId = newestDeliveryId;
  if (state.noticeTimer !== null) return;
  state.noticeTimer = setTimeout(() => {
    state.noticeTimer = null;
    const key = state.newestDeliveryId;
    state.newestDeliveryId = null;
    if (key !== null) void publishChanges([{ kind: "delivery", key }]);
  }, DELIVERY_NOTICE_INTERVAL_MS);
  state.noticeTimer.unref();
}

function createRecorder(): RecorderState {
  const config = env();
  const state: RecorderState = {
    ackTimes: [],
    ackTimer: null,
    noticeTimer: null,
    newestDeliveryId: null,
    committer: new GroupCommitter<Submission, StoredDelivery>({
      windowMs: config.RXWATCH_INGEST_BATCH_WINDOW_MS,
      maxBatch: config.RXWATCH_INGEST_BATCH_MAX,
      maxInFlight: deliveryCommitConcurrency(),
      commit: async (submissions) => {
        const stored = await commitDeliveries(
          submissions.map((submission) => submission.write),
          takeAckTimes(state),
        );
        const committedAt = performance.now();
        for (const submission of submissions) {
          state.ackTimes.push({ deliveryId: submission.write.id, ackMs: Math.round((committedAt - submission.startedAt) * 100) / 100 });
        }
        if (state.ackTimes.length > MAX_PENDING_ACK_TIMES) state.ackTimes.splice(0, state.ackTimes.length - MAX_PENDING_ACK_TIMES);
        scheduleAckTimeFlush(state);
        const newEvents = stored.filter((delivery) => delivery.isNewEvent).length;
        if (newEvents > 0) signalNewEvents(newEvents);
        const newest = submissions.at(-1);
        if (newest) scheduleDeliveryNotice(state, newest.write.id);
        return stored;
      },
      onBatchFailed: (error, size) =>
        log("warn", "delivery batch failed; storing its deliveries one by one", { size, error: error instanceof Error ? error.name : "unknown", cause: driverErrorCause(error) }),
    }),
  };
  return state;
}

// One per process (see server/core/process-slot.ts): one committer per process, shared by every route bundle.
const deliveryRecorderSlot = processSlot<RecorderState>("rxwatchDeliveryRecorder");

/** At shutdown, after ingest has drained: writes the acknowledgement times still held instead of losing them. */
async function flushAckTimes(state: RecorderState): Promise<void> {
  if (state.ackTimer !== null) clearTimeout(state.ackTimer);
  state.ackTimer = null;
  while (state.ackTimes.length > 0) {
    const ackTimes = takeAckTimes(state, true);
    try {
      await commitDeliveries([], ackTimes);
    } catch (error) {
      log("warn", "could not record acknowledgement times at shutdown", { count: ackTimes.length, error: error instanceof Error ? error.name : "unknown" });
      return;
    }
  }
}

/** Deliveries waiting for a transaction in this thread's group commit. */
export function deliveriesAwaitingCommit(): number {
  return deliveryRecorderSlot.value?.committer.pendingCount ?? 0;
}

/** Writes the acknowledgement times still held: the processing thread calls it when it stops (it has no shutdown stages of its own). */
export async function flushHeldAckTimes(): Promise<void> {
  const state = deliveryRecorderSlot.value;
  if (state) await flushAckTimes(state);
}

function recorder(): RecorderState {
  if (!deliveryRecorderSlot.value) {
    const state = createRecorder();
    deliveryRecorderSlot.value = state;
    reportIngestQueueLength("this thread", () => state.committer.pendingCount);
    onShutdown("cleanup", "acknowledgement times", () => flushAckTimes(state));
  }
  return deliveryRecorderSlot.value;
}

/**
 * Stores one delivery durably (sharing a transaction with concurrent ones)
 * and resolves only after the commit. Rejects when it could not be stored —
 * the caller must then not acknowledge.
 *
 * @param startedAt `performance.now()` when the request arrived, for the acknowledgement time.
 */
export function recordDelivery(write: DeliveryWrite, startedAt: number): Promise<StoredDelivery> {
  return recorder().committer.submit({ write, startedAt });
}
