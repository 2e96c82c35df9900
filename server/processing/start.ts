import "server-only";
import { Worker } from "node:worker_threads";
import { processSlot } from "@/server/core/process-slot";
import { currentProvider } from "@/server/core/db";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { metrics } from "@/server/core/metrics";
import { isShuttingDown, onShutdown } from "@/server/core/shutdown";
import { announceStoredNotices } from "@/server/live/notices";
import { onCacheChange } from "@/server/core/cache-changes";
import { connectIngestThread, type IngestThreadLink } from "@/server/ingest/ingest-handoff";
import { onNewEvents } from "@/server/processing/inbox-signal";
import type { ToProcessingThread } from "@/server/processing/thread-messages";
import { superviseProcessingThread, type ThreadSupervisor } from "@/server/processing/thread-supervisor";
import { countRunInMetrics, createInboxWorker, inboxWorkerOptionsFromEnv, stopAndReleaseLeases, type InboxWorker } from "@/server/processing/worker";

/** A processing thread that ended without being asked is started again after this long. */
const RESTART_AFTER_MS = 5_000;

type RunningWorker = { kind: "in-process"; worker: InboxWorker } | { kind: "thread"; supervisor: ThreadSupervisor | null; ingest: IngestThreadLink | null };

const runningWorkerSlot = processSlot<RunningWorker>("rxwatchInboxWorker");

/**
 * Starts this process's processing thread, once
 * (server/processing/processing-thread.ts): it stores the webhooks this
 * process receives (server/ingest/ingest-handoff.ts) and, unless
 * RXWATCH_WORKER=0, runs the inbox worker. RXWATCH_PROCESSING_THREAD=0 keeps
 * both on the main thread's event loop instead. At shutdown
 * (server/core/shutdown.ts) the worker stops claiming, lets the runs in flight
 * finish, and gives back the leases of any that did not, so another instance
 * takes them over at once; if the shutdown deadline cuts that short, the
 * leases expire instead.
 */
export function startProcessing(): void {
  if (runningWorkerSlot.value) return;
  const { RXWATCH_PROCESSING_THREAD: isThreaded, RXWATCH_WORKER: isWorkerOn } = env();
  if (isThreaded) startProcessingThread(isWorkerOn);
  else if (isWorkerOn) startInProcessWorker();
}

/** Tells the processing thread, if there is one, what the main thread did. */
export function tellProcessingThread(message: ToProcessingThread): void {
  const running = runningWorkerSlot.value;
  if (running?.kind === "thread") running.supervisor?.tell(message);
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
    const released = await stopAndReleaseLeases(worker, stopWaitMs());
    log("info", "inbox worker stopped", { workerId: worker.id, releasedLeases: released });
  });
}

function startProcessingThread(isWorkerOn: boolean): void {
  const running: RunningWorker & { kind: "thread" } = { kind: "thread", supervisor: null, ingest: null };
  runningWorkerSlot.value = running;
  // New events, re-processing and replays are signalled on the main thread; the worker is in the other one.
  onNewEvents((count) => tellProcessingThread({ type: "new-events", count }));
  onCacheChange((change) => tellProcessingThread({ type: "cache-changed", change }));
  const supervisor = superviseProcessingThread({
    provider: currentProvider(),
    // Literal, so the bundler finds processing-thread.ts and builds it as the thread's entry.
    startThread: (workerData) => new Worker(new URL("./processing-thread.ts", import.meta.url), { workerData, name: "rxwatch-processing" }),
    isWorkerOn,
    onMessage: (message) => {
      switch (message.type) {
        case "started":
          running.ingest = connectIngestThread((request) => tellProcessingThread({ type: "ingest", ...request }));
          if (message.workerId === null) log("info", "processing thread started", { worker: "off", thread: "processing" });
          else log("info", "inbox worker started", { workerId: message.workerId, ...inboxWorkerSummary(), thread: "processing" });
          return;
        case "ingested":
          running.ingest?.answer(message);
          return;
        case "notices":
          announceStoredNotices(message.notices);
          return;
        case "runs":
          message.runs.forEach(countRunInMetrics);
          return;
        case "stopped":
          log("info", "processing thread stopped", { releasedLeases: message.releasedLeases, thread: "processing" });
          return;
      }
    },
    onThreadEnded: () => {
      running.ingest?.disconnect();
      running.ingest = null;
    },
    restartAfterMs: RESTART_AFTER_MS,
    onRestart: () => metrics().processingThreadRestarts.inc(),
    isShuttingDown,
  });
  running.supervisor = supervisor;

  onShutdown("work", "processing thread", async () => {
    log("info", "processing thread stopping", { thread: "processing" });
    await supervisor.stop(stopWaitMs());
  });
}

function inboxWorkerSummary(): { concurrency: number; pollMs: number } {
  const { concurrency, pollMs } = inboxWorkerOptionsFromEnv();
  return { concurrency, pollMs };
}
