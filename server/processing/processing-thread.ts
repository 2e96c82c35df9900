import "server-only";
import { parentPort, workerData } from "node:worker_threads";
import { closeDb, relaxSqliteCommits, shareSqliteWriteGate } from "@/server/core/db";
import { log } from "@/server/core/logger";
import { summarizeError } from "@/server/processing/errors";
import { createWriteGate } from "@/server/core/write-gate";
import { payloadDrift } from "@/server/drift/detector";
import { onNoticesPublishedHere } from "@/server/live/notices";
import { signalNewEvents } from "@/server/processing/inbox-signal";
import type { CacheChange } from "@/server/core/cache-changes";
import { withRequestId } from "@/server/core/request-context";
import type { HandedOffWebhook } from "@/server/ingest/ingest-handoff";
import { deliveriesAwaitingCommit, flushHeldAckTimes } from "@/server/ingest/record-delivery";
import { storeReadWebhook } from "@/server/ingest/receive-webhook";
import { forgetCachedSetting } from "@/server/settings/settings";
import { invalidateSigningSecretCache } from "@/server/signing-secrets/signing-secrets";
import type { FromProcessingThread, ProcessingThreadData, ToProcessingThread } from "@/server/processing/thread-messages";
import { createInboxWorker, inboxWorkerOptionsFromEnv, stopAndReleaseLeases, type CountedRun } from "@/server/processing/worker";

/*
 * The processing thread, started by server/processing/start.ts with a
 * database connection of its own: it stores the webhooks the main thread has
 * read (server/ingest/ingest-handoff.ts) and runs the inbox worker. Both are
 * mostly synchronous work (hashing, parsing, Prisma's query planning, the
 * projection and, on SQLite, the driver itself); here it runs beside the main
 * thread's event loop, which stays free to read requests and serve pages.
 * docs/ingest.md#the-processing-thread
 */

const port = parentPort;
if (!port) throw new Error("processing-thread.ts runs as a worker thread, started by server/processing/start.ts");
const data = workerData as ProcessingThreadData;

function send(message: FromProcessingThread): void {
  port?.postMessage(message);
}

if (data.writeGate) shareSqliteWriteGate({ gate: createWriteGate(data.writeGate), isGatingAutocommitWrites: true });
// The worker's bookkeeping commits skip their fsync; the ingest batch's commit keeps it (docs/ingest.md#the-processing-thread).
relaxSqliteCommits();

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

const worker = data.isWorkerOn ? createInboxWorker({ ...inboxWorkerOptionsFromEnv(), countRun }) : null;

async function ingest({ id, webhook, requestId }: HandedOffWebhook): Promise<void> {
  const work = () => storeReadWebhook(webhook);
  const stored = await (requestId === undefined ? work() : withRequestId(requestId, work));
  send({ type: "ingested", id, stored, queuedDeliveries: deliveriesAwaitingCommit() });
}

function forgetCached(change: CacheChange): void {
  if (change.kind === "signing-secrets") invalidateSigningSecretCache();
  else forgetCachedSetting(change.key);
}

/** At shutdown the main thread has answered every webhook request before it sends "stop", so no ingest is left but its acknowledgement times. */
async function stop(stopWaitMs: number): Promise<void> {
  const releasedLeases = worker
    ? await stopAndReleaseLeases(worker, stopWaitMs).catch((error: unknown) => {
        log("warn", "leases not given back; they expire instead", { workerId: worker.id, error: summarizeError(error) });
        return 0;
      })
    : 0;
  await flushHeldAckTimes();
  await closeDb();
  send({ type: "stopped", releasedLeases });
}

port.on("message", (message: ToProcessingThread) => {
  switch (message.type) {
    case "ingest":
      void ingest(message);
      return;
    case "cache-changed":
      forgetCached(message.change);
      return;
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

worker?.start();
send({ type: "started", workerId: worker?.id ?? null });
