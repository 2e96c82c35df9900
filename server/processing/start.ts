import "server-only";
import { Worker } from "node:worker_threads";
import { processSlot } from "@/server/core/process-slot";
import { currentProvider, shareSqliteWriteGate } from "@/server/core/db";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { metrics } from "@/server/core/metrics";
import { createWriteGate, type WriteGate } from "@/server/core/write-gate";
import { isShuttingDown, onShutdown } from "@/server/core/shutdown";
import { announceStoredNotices } from "@/server/live/notices";
import { summarizeError, stackFrames } from "@/server/processing/errors";
import { onNewEvents } from "@/server/processing/inbox-signal";
import type { FromProcessingThread, ProcessingThreadData, ToProcessingThread } from "@/server/processing/thread-messages";
import { countRunInMetrics, createInboxWorker, inboxWorkerOptionsFromEnv, type InboxWorker } from "@/server/processing/worker";

/** A processing thread that ended without being asked is started again after this long. */
const RESTART_AFTER_MS = 5_000;

interface ProcessingThread {
  worker: Worker;
  /** Null on PostgreSQL, where the database itself arbitrates between connections. */
  gate: WriteGate | null;
  isStopping: boolean;
}

type RunningWorker = { kind: "in-process"; worker: InboxWorker } | { kind: "thread"; current: ProcessingThread | null };

const runningWorkerSlot = processSlot<RunningWorker>("rxwatchInboxWorker");

/**
 * Starts this process's inbox worker, once: in the processing thread
 * (server/processing/processing-thread.ts) unless RXWATCH_PROCESSING_THREAD=0,
 * which runs it on the main thread's event loop instead. At shutdown
 * (server/core/shutdown.ts) it stops claiming, lets the runs in flight finish,
 * and gives back the leases of any that did not, so another instance takes
 * them over at once; if the shutdown deadline cuts that short, the leases
 * expire instead.
 */
export function startInboxWorker(): void {
  if (runningWorkerSlot.value) return;
  if (env().RXWATCH_PROCESSING_THREAD) startProcessingThread();
  else startInProcessWorker();
}

/** Tells the processing thread, if there is one, what the main thread did. */
export function tellProcessingThread(message: ToProcessingThread): void {
  const running = runningWorkerSlot.value;
  if (running?.kind === "thread" && running.current && !running.current.isStopping) running.current.worker.postMessage(message);
}

function stopWaitMs(): number {
  return env().RXWATCH_SHUTDOWN_TIMEOUT_MS / 2;
}

function startInProcessWorker(): void {
  const options = inboxWorkerOptionsFromEnv();
  const worker = createInboxWorker(options);
  runningWorkerSlot.value = { kind: "in-process", worker };
  worker.start();
  log("info", "inbox worker started", { workerId: worker.id, concurrency: options.concurrency, pollMs: options.pollMs, thread: "main" });

  onShutdown("work", "inbox worker", async () => {
    log("info", "inbox worker stopping", { workerId: worker.id });
    // stop() waits for running handlers, which may take up to a lease; the shutdown
    // deadline is usually shorter, so leases are given back as soon as stop() is done
    // or half the deadline has passed, whichever comes first.
    await Promise.race([worker.stop(), new Promise((resolve) => setTimeout(resolve, stopWaitMs()).unref())]);
    const released = await worker.releaseLeases();
    log("info", "inbox worker stopped", { workerId: worker.id, releasedLeases: released });
  });
}

function startProcessingThread(): void {
  const running: RunningWorker & { kind: "thread" } = { kind: "thread", current: null };
  runningWorkerSlot.value = running;
  // New events, re-processing and replays are signalled on the main thread; the worker is in the other one.
  onNewEvents((count) => tellProcessingThread({ type: "new-events", count }));

  const spawn = (): void => {
    // SQLite: from here on both threads write to the file, each through its own connection, taking turns at the gate.
    const gate = currentProvider() === "sqlite" ? createWriteGate() : null;
    shareSqliteWriteGate(gate ? { gate, isGatingAutocommitWrites: false } : null);
    const workerData: ProcessingThreadData = { writeGate: gate?.buffer ?? null };
    const worker = new Worker(new URL("./processing-thread.ts", import.meta.url), { workerData, name: "rxwatch-processing" });
    const thread: ProcessingThread = { worker, gate, isStopping: false };
    running.current = thread;
    worker.on("message", (message: FromProcessingThread) => {
      switch (message.type) {
        case "started":
          log("info", "inbox worker started", { workerId: message.workerId, ...inboxWorkerSummary(), thread: "processing" });
          return;
        case "notices":
          announceStoredNotices(message.notices);
          return;
        case "runs":
          message.runs.forEach(countRunInMetrics);
          return;
        case "stopped":
          log("info", "inbox worker stopped", { releasedLeases: message.releasedLeases, thread: "processing" });
          return;
      }
    });
    // Never the message: it may quote an event's payload.
    worker.on("error", (error) => log("error", "the processing thread failed", { error: summarizeError(error), stack: stackFrames(error) }));
    worker.on("exit", (code) => {
      // A thread that died mid-write or waiting for its turn would hold the gate forever: the main thread writes alone again.
      gate?.close();
      shareSqliteWriteGate(null);
      if (running.current === thread) running.current = null;
      if (thread.isStopping || isShuttingDown()) return;
      log("error", "the processing thread ended unexpectedly; starting it again", { exitCode: code, restartInMs: RESTART_AFTER_MS });
      metrics().processingThreadRestarts.inc();
      setTimeout(() => {
        if (!isShuttingDown() && running.current === null) spawn();
      }, RESTART_AFTER_MS).unref();
    });
  };
  spawn();

  onShutdown("work", "inbox worker", async () => {
    const thread = running.current;
    if (!thread) return;
    log("info", "inbox worker stopping", { thread: "processing" });
    thread.isStopping = true;
    const exited = new Promise((resolve) => thread.worker.once("exit", resolve));
    const stopped = new Promise((resolve) => thread.worker.on("message", (message: FromProcessingThread) => message.type === "stopped" && resolve(undefined)));
    thread.worker.postMessage({ type: "stop", stopWaitMs: stopWaitMs() } satisfies ToProcessingThread);
    // The thread gives its leases back after at most stopWaitMs; a little more for that and closing its connection.
    await Promise.race([stopped, exited, new Promise((resolve) => setTimeout(resolve, stopWaitMs() + 2_000).unref())]);
    await thread.worker.terminate();
  });
}

function inboxWorkerSummary(): { concurrency: number; pollMs: number } {
  const { concurrency, pollMs } = inboxWorkerOptionsFromEnv();
  return { concurrency, pollMs };
}
