import "server-only";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { processSlot } from "@/server/core/process-slot";
import { countRejectedRequest, deleteRejectedTallyBefore } from "@/server/repositories/rejected-tally";

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

/**
 * Counts a rejected request against its source's budget for the minute it
 * arrived in (RXWATCH_REJECTED_REQUESTS_PER_MINUTE, RXWATCH_REJECTED_BYTES_PER_MINUTE,
 * shared by every instance on the database) and says whether it may keep a
 * delivery row. `bytes` are the body bytes received. The first request over
 * the budget in a source's minute is logged; the rest are only counted, so a
 * flood fills neither the database nor the log.
 */
export async function admitRejectedRequest(sourceAddress: string | null, bytes: number, receivedAt: Date): Promise<boolean> {
  const config = env();
  const tally = await countRejectedRequest(sourceAddress ?? "", minuteOf(receivedAt), bytes, {
    requestsPerMinute: config.RXWATCH_REJECTED_REQUESTS_PER_MINUTE,
    bytesPerMinute: config.RXWATCH_REJECTED_BYTES_PER_MINUTE,
  });
  pruneOldTallies(receivedAt);
  if (!tally.isWithinBudget && tally.droppedRequests === 1) {
    log("warn", "rejected requests over budget: counting, not storing, this source's rejected requests until the minute ends", { sourceAddress: sourceAddress ?? "(unknown)" });
  }
  return tally.isWithinBudget;
}
