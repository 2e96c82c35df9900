import "server-only";
import { shareSqliteWriteGate, type DatabaseProvider } from "@/server/core/db";
import { log } from "@/server/core/logger";
import { createWriteGate } from "@/server/core/write-gate";
import { summarizeError, stackFrames } from "@/server/processing/errors";
import type { FromProcessingThread, ProcessingThreadData, ToProcessingThread } from "@/server/processing/thread-messages";

/** The part of a worker_threads Worker the supervisor uses (a stand-in in tests). */
export interface ThreadHandle {
  on(event: "message", listener: (message: FromProcessingThread) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "exit", listener: (exitCode: number) => void): unknown;
  postMessage(message: ToProcessingThread): void;
  terminate(): Promise<number>;
}

export interface ThreadSupervisorOptions {
  provider: DatabaseProvider;
  /** Starts a thread running processing-thread.ts (start.ts: `new Worker(new URL(…))`, which the bundler must see literally). */
  startThread: (data: ProcessingThreadData) => ThreadHandle;
  /** Whether the thread runs the inbox worker (it takes ingest either way). */
  isWorkerOn: boolean;
  /** Handles what the thread reports (ingest answers, notices, run counts, start and stop). */
  onMessage: (message: FromProcessingThread) => void;
  /** A thread ended, asked to or not; called before any restart. */
  onThreadEnded: () => void;
  /** A thread that ended without being asked is started again after this long. */
  restartAfterMs: number;
  onRestart: () => void;
  isShuttingDown: () => boolean;
}

export interface ThreadSupervisor {
  tell(message: ToProcessingThread): void;
  /** Asks the thread to stop (see ToProcessingThread "stop"), waits for it up to `stopWaitMs` plus a margin, then ends it. */
  stop(stopWaitMs: number): Promise<void>;
}

/** Time the thread gets beyond stopWaitMs to give its leases back and close its connection. */
const STOP_MARGIN_MS = 2_000;

/**
 * Runs the processing thread and keeps it running: on SQLite it gives each
 * thread a fresh write gate shared with this (main) thread, and when a thread
 * ends without being asked it closes that gate (a thread that died holding a
 * turn would hold it forever), then starts a new one.
 */
export function superviseProcessingThread(options: ThreadSupervisorOptions): ThreadSupervisor {
  let current: { handle: ThreadHandle; isStopping: boolean } | null = null;

  const start = (): void => {
    // SQLite: from here on both threads write to the file, each through its own connection, taking turns at the gate.
    const gate = options.provider === "sqlite" ? createWriteGate() : null;
    shareSqliteWriteGate(gate ? { gate, isGatingAutocommitWrites: false } : null);
    const handle = options.startThread({ writeGate: gate?.buffer ?? null, isWorkerOn: options.isWorkerOn });
    const thread = { handle, isStopping: false };
    current = thread;
    handle.on("message", options.onMessage);
    // Never the message: it may quote an event's payload.
    handle.on("error", (error) => log("error", "the processing thread failed", { error: summarizeError(error), stack: stackFrames(error) }));
    handle.on("exit", (exitCode) => {
      gate?.close();
      shareSqliteWriteGate(null);
      if (current === thread) current = null;
      options.onThreadEnded();
      if (thread.isStopping || options.isShuttingDown()) return;
      log("error", "the processing thread ended unexpectedly; starting it again", { exitCode, restartInMs: options.restartAfterMs });
      options.onRestart();
      setTimeout(() => {
        if (!options.isShuttingDown() && current === null) start();
      }, options.restartAfterMs).unref();
    });
  };
  start();

  return {
    tell(message) {
      if (current && !current.isStopping) current.handle.postMessage(message);
    },
    async stop(stopWaitMs) {
      const thread = current;
      if (!thread) return;
      thread.isStopping = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, stopWaitMs + STOP_MARGIN_MS);
        timer.unref();
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        thread.handle.on("exit", done);
        thread.handle.on("message", (message) => {
          if (message.type === "stopped") done();
        });
        thread.handle.postMessage({ type: "stop", stopWaitMs });
      });
      await thread.handle.terminate();
    },
  };
}
