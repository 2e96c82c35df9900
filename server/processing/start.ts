import "server-only";
import { processSlot } from "@/server/core/process-slot";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { createInboxWorker, inboxWorkerOptionsFromEnv, type InboxWorker } from "@/server/processing/worker";
import { onShutdown } from "@/server/core/shutdown";

const inboxWorkerSlot = processSlot<InboxWorker>("rxwatchInboxWorker");

/**
 * Starts this process's inbox worker, once. At shutdown (server/core/shutdown.ts)
 * it stops claiming, lets the handlers it is running finish, and gives back
 * the leases of any that did not, so another instance takes them over at
 * once; if the shutdown deadline cuts that short, the leases expire instead.
 */
export function startInboxWorker(): InboxWorker {
  const existing = inboxWorkerSlot.value;
  if (existing) return existing;
  const options = inboxWorkerOptionsFromEnv();
  const worker = createInboxWorker(options);
  inboxWorkerSlot.value = worker;
  worker.start();
  log("info", "inbox worker started", { workerId: worker.id, concurrency: options.concurrency, pollMs: options.pollMs });

  const stopWaitMs = env().RXWATCH_SHUTDOWN_TIMEOUT_MS / 2;
  onShutdown("work", "inbox worker", async () => {
    log("info", "inbox worker stopping", { workerId: worker.id });
    // stop() waits for running handlers, which may take up to a lease; the shutdown
    // deadline is usually shorter, so leases are given back as soon as stop() is done
    // or half the deadline has passed, whichever comes first.
    await Promise.race([worker.stop(), new Promise((resolve) => setTimeout(resolve, stopWaitMs).unref())]);
    const released = await worker.releaseLeases();
    log("info", "inbox worker stopped", { workerId: worker.id, releasedLeases: released });
  });
  return worker;
}
