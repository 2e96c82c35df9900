import "server-only";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { processSingleton, processSlot } from "@/server/core/process-slot";
import { addDroppedRequests, countRejectedRequest, deleteRejectedTallyBefore } from "@/server/repositories/rejected-tally";

/*
 * What a request without a valid signature may cost the disk. Anyone can send
 * one, so it keeps its metadata, hash, size and a small sealed sample of the
 * body (enough to diagnose a wrong secret), and only within a per-source
 * budget per minute; beyond it, a counter. See docs/ingest.md#rejected-requests
 */

/** Bytes of a rejected body kept (sealed) as its sample: the envelope's start, enough to tell RxScale's JSON from a probe. */
export const REJECTED_SAMPLE_BYTES = 4 * 1024;

/** Tally rows older than this are deleted (the failures page looks back a day; its incidents keep their own counts). */
const TALLY_KEPT_MS = 7 * 24 * 60 * 60 * 1000;
/** How often one process prunes old tally rows, at most. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Requests this instance dropped on its own count reach the shared tally within this long, together. */
const FLUSH_DROPPED_MS = 1_000;

/** This instance's own count for one source and minute; the shared tally holds at least as much. */
interface LocalTally {
  sourceAddress: string;
  minute: Date;
  requests: number;
  bytes: number;
  /** Dropped here without asking the database, not yet added to the shared tally. */
  unflushedRequests: number;
  unflushedBytes: number;
  /** This instance logged the source's first dropped request of the minute. */
  isDropLogged: boolean;
}

const localTallies = processSingleton("rxwatchRejectedLocalTallies", () => new Map<string, LocalTally>());
const flushTimer = processSlot<NodeJS.Timeout>("rxwatchRejectedFlushTimer");

/** Adds what this instance dropped on its own count to the shared tally, and forgets minutes that are over. */
async function flushDropped(): Promise<void> {
  flushTimer.value = undefined;
  const currentMinute = minuteOf(new Date()).getTime();
  for (const [key, tally] of localTallies) {
    const { unflushedRequests: requests, unflushedBytes: bytes } = tally;
    tally.unflushedRequests = 0;
    tally.unflushedBytes = 0;
    if (requests > 0) {
      try {
        await addDroppedRequests(tally.sourceAddress, tally.minute, requests, bytes);
      } catch (error) {
        log("warn", "dropped rejected requests could not be counted", { requests, error: error instanceof Error ? error.name : "unknown" });
      }
    }
    if (tally.minute.getTime() < currentMinute && tally.unflushedRequests === 0) localTallies.delete(key);
  }
}

function scheduleFlush(): void {
  if (flushTimer.value) return;
  flushTimer.value = setTimeout(() => void flushDropped(), FLUSH_DROPPED_MS);
  flushTimer.value.unref();
}

/** The first `REJECTED_SAMPLE_BYTES` of a rejected body: what its delivery row keeps. */
export function rejectedBodySample(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength > REJECTED_SAMPLE_BYTES ? bytes.subarray(0, REJECTED_SAMPLE_BYTES) : bytes;
}

function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

const lastPrune = processSlot<number>("rxwatchRejectedTallyPrune");

function pruneOldTallies(now: Date): void {
  if (lastPrune.value !== undefined && now.getTime() - lastPrune.value < PRUNE_EVERY_MS) return;
  lastPrune.value = now.getTime();
  deleteRejectedTallyBefore(new Date(now.getTime() - TALLY_KEPT_MS)).catch((error: unknown) => {
    log("warn", "old rejected-request tallies could not be deleted", { error: error instanceof Error ? error.name : "unknown" });
  });
}

function logFirstDrop(local: LocalTally): void {
  if (local.isDropLogged) return;
  local.isDropLogged = true;
  log("warn", "rejected requests over budget: counting, not storing, this source's rejected requests until the minute ends", { sourceAddress: local.sourceAddress || "(unknown)" });
}

/**
 * Counts a rejected request against its source's budget for the minute it
 * arrived in (RXWATCH_REJECTED_REQUESTS_PER_MINUTE, RXWATCH_REJECTED_BYTES_PER_MINUTE,
 * shared by every instance on the database) and says whether it may keep a
 * delivery row. `bytes` are the body bytes received. The first request over
 * the budget in a source's minute is logged; the rest are only counted, so a
 * flood fills neither the database nor the log. Once this instance's own count
 * is over the budget, requests are counted in memory and reach the tally
 * within a second, in one statement per source and minute.
 */
export async function admitRejectedRequest(sourceAddress: string | null, bytes: number, receivedAt: Date): Promise<boolean> {
  const config = env();
  const budget = { requestsPerMinute: config.RXWATCH_REJECTED_REQUESTS_PER_MINUTE, bytesPerMinute: config.RXWATCH_REJECTED_BYTES_PER_MINUTE };
  const source = sourceAddress ?? "";
  const minute = minuteOf(receivedAt);
  const key = `${minute.getTime()} ${source}`;
  const local = localTallies.get(key) ?? { sourceAddress: source, minute, requests: 0, bytes: 0, unflushedRequests: 0, unflushedBytes: 0, isDropLogged: false };
  localTallies.set(key, local);
  local.requests += 1;
  local.bytes += bytes;
  // Over budget on this instance's count alone: over it on the shared one too. Counted in memory and added to the
  // tally in one statement a second later, so a flood costs no database write per request.
  if (local.requests > budget.requestsPerMinute || local.bytes > budget.bytesPerMinute) {
    local.unflushedRequests += 1;
    local.unflushedBytes += bytes;
    scheduleFlush();
    logFirstDrop(local);
    return false;
  }
  const tally = await countRejectedRequest(source, minute, bytes, budget);
  pruneOldTallies(receivedAt);
  if (!tally.isWithinBudget) logFirstDrop(local);
  return tally.isWithinBudget;
}
