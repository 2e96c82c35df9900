import "server-only";
import type { SequencedNotice } from "@/server/live/notices";
import type { CountedRun } from "@/server/processing/worker";
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
}

/** From the main thread to the processing thread. */
export type ToProcessingThread =
  /** Ingest, re-processing or a replay committed new events: claim now rather than at the next poll. */
  | { type: "new-events"; count: number }
  /** A vanished field was marked expected on the main thread: the worker's drift detector forgets it too. */
  | { type: "forget-drift-field"; shape: ShapeKey; path: string }
  /** Shutdown: stop claiming, wait up to `stopWaitMs` for the runs in flight, give back the leases left, close the database. */
  | { type: "stop"; stopWaitMs: number };

/** From the processing thread to the main thread. */
export type FromProcessingThread =
  | { type: "started"; workerId: string }
  /** Change notices the worker stored, for the main thread's live streams. */
  | { type: "notices"; notices: SequencedNotice[] }
  /** Recorded runs, for the main thread's metrics. */
  | { type: "runs"; runs: CountedRun[] }
  | { type: "stopped"; releasedLeases: number };
