import "server-only";
import type { HandedBackWebhook, HandedOffWebhook } from "@/server/ingest/ingest-handoff";
import type { SequencedNotice } from "@/server/live/notices";
import type { CountedRun } from "@/server/processing/worker";
import type { CacheChange } from "@/server/core/cache-changes";
import type { ShapeKey } from "@/server/repositories/payload-shapes";

/*
 * The messages between the main thread and the processing thread
 * (server/processing/start.ts and processing-thread.ts). Both ends are this
 * build's own code in one process, so the types are the contract.
 */

/** What the processing thread gets when it starts. */
export interface ProcessingThreadData {
  /** The SQLite write gate's shared memory (server/core/write-gate.ts); null on PostgreSQL. */
  writeGate: SharedArrayBuffer | null;
  /** Whether the thread runs the inbox worker (RXWATCH_WORKER); it takes ingest either way. */
  isWorkerOn: boolean;
}

/** From the main thread to the processing thread. */
export type ToProcessingThread =
  /** A webhook request whose body the main thread has read: verify, read and store it (server/ingest/ingest-handoff.ts). */
  | ({ type: "ingest" } & HandedOffWebhook)
  /** The main thread changed something ingest caches: the thread drops its copy. */
  | { type: "cache-changed"; change: CacheChange }
  /** Ingest, re-processing or a replay committed new events: claim now rather than at the next poll. */
  | { type: "new-events"; count: number }
  /** A vanished field was marked expected on the main thread: the worker's drift detector forgets it too. */
  | { type: "forget-drift-field"; shape: ShapeKey; path: string }
  /** Shutdown: stop claiming, wait up to `stopWaitMs` for the runs in flight, give back the leases left, close the database. */
  | { type: "stop"; stopWaitMs: number };

/** From the processing thread to the main thread. */
export type FromProcessingThread =
  /** Ready for ingest; `workerId` is the inbox worker's, null when the worker is off. */
  | { type: "started"; workerId: string | null }
  /** The answer to an "ingest" message. */
  | ({ type: "ingested" } & HandedBackWebhook)
  /** Change notices the worker stored, for the main thread's live streams. */
  | { type: "notices"; notices: SequencedNotice[] }
  /** Recorded runs, for the main thread's metrics. */
  | { type: "runs"; runs: CountedRun[] }
  | { type: "stopped"; releasedLeases: number };
