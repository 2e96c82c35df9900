import "server-only";
import { log } from "@/server/logger";
import { createInboxWorker, inboxWorkerOptionsFromEnv, type InboxWorker } from "@/server/processing/worker";

/** How long a shutdown we own waits for running handlers before exiting anyway (their leases then expire). */
const SHUTDOWN_GRACE_MS = 10_000;
const EXIT_CODE_BY_SIGNAL = { SIGTERM: 143, SIGINT: 130 } as const;

const globalForWorker = globalThis as unknown as { rxwatchInboxWorker?: InboxWorker };

/**
 * Starts this process's inbox worker, once, and stops it on SIGTERM/SIGINT.
 * Under `next start` Next.js exits the process itself after closing its
 * server; a run cut short then is picked up elsewhere once its lease expires.
 * Where nothing else handles the signal, the worker drains and then exits.
 */
export function startInboxWorker(): InboxWorker {
  const existing = globalForWorker.rxwatchInboxWorker;
  if (existing) return existing;
  const options = inboxWorkerOptionsFromEnv();
  const worker = createInboxWorker(options);
  globalForWorker.rxwatchInboxWorker = worker;
  worker.start();
  log("info", "inbox worker started", { workerId: worker.id, concurrency: options.concurrency, pollMs: options.pollMs });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const isExitHandledElsewhere = process.listenerCount(signal) > 0;
    process.once(signal, () => {
      log("info", "inbox worker stopping", { workerId: worker.id, signal });
      const stopped = worker.stop().then(() => log("info", "inbox worker stopped", { workerId: worker.id }));
      if (isExitHandledElsewhere) return;
      const deadline = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
      void Promise.race([stopped, deadline]).finally(() => process.exit(EXIT_CODE_BY_SIGNAL[signal]));
    });
  }
  return worker;
}
