import "server-only";
import { parentPort, workerData } from "node:worker_threads";
import { closeDb, shareSqliteWriteGate } from "@/server/core/db";
import { log } from "@/server/core/logger";
import { summarizeError } from "@/server/processing/errors";
import { createWriteGate } from "@/server/core/write-gate";
import { payloadDrift } from "@/server/drift/detector";
import { onNoticesPublishedHere } from "@/server/live/notices";
import { signalNewEvents } from "@/server/processing/inbox-signal";
import type { FromProcessingThread, ProcessingThreadData, ToProcessingThread } from "@/server/processing/thread-messages";
import { createInboxWorker, inboxWorkerOptionsFromEnv, stopAndReleaseLeases, type CountedRun } from "@/server/processing/worker";

/*
 * The processing thread: the inbox worker with a database connection of its
 * own, started by server/processing/start.ts. Recording a batch is mostly
 * synchronous work (Prisma's query planning, the projection and, on SQLite,
 * the driver itself); here it runs beside the main thread's event loop, which
 * stays free to acknowledge webhooks and serve pages. docs/ingest.md#the-processing-thread
 */

const port = parentPort;
if (!port) throw new Error("processing-thread.ts runs as a worker thread, started by server/processing/start.ts");
const data = workerData as ProcessingThreadData;

function send(message: FromProcessingThread): void {
  port?.postMessage(message);
}

if (data.writeGate) shareSqliteWriteGate({ gate: createWriteGate(data.writeGate), isGatingAutocommitWrites: true });

// Runs are counted in the main thread's metrics, sent once per turn of the event loop rather than one message each.
let countedRuns: CountedRun[] = [];
function countRun(run: CountedRun): void {
  if (countedRuns.length === 0) {
    setImmediate(() => {
      send({ type: "runs", runs: countedRuns });
      countedRuns = [];
    });
  }
  countedRuns.push(run);
}

onNoticesPublishedHere((notices) => send({ type: "notices", notices: [...notices] }));

const worker = createInboxWorker({ ...inboxWorkerOptionsFromEnv(), countRun });

async function stop(stopWaitMs: number): Promise<void> {
  const releasedLeases = await stopAndReleaseLeases(worker, stopWaitMs).catch((error: unknown) => {
    log("warn", "leases not given back; they expire instead", { workerId: worker.id, error: summarizeError(error) });
    return 0;
  });
  await closeDb();
  send({ type: "stopped", releasedLeases });
}

port.on("message", (message: ToProcessingThread) => {
  switch (message.type) {
    case "new-events":
      signalNewEvents(message.count);
      return;
    case "forget-drift-field":
      void payloadDrift().forgetField(message.shape, message.path);
      return;
    case "stop":
      void stop(message.stopWaitMs);
      return;
  }
});

worker.start();
send({ type: "started", workerId: worker.id });
