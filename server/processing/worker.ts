import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
// Gives pending I/O (webhooks waiting to be acknowledged) a turn.
import { setImmediate as yieldToIo } from "node:timers/promises";
import { env } from "@/server/core/env";
import { getSettings } from "@/server/settings/settings";
import { log } from "@/server/core/logger";
import { eventTypeLabel, metrics } from "@/server/core/metrics";
import { retryDelayMs, type BackoffPolicy } from "@/server/processing/backoff";
import { describeRunError, ProcessingError, stackFrames, summarizeError } from "@/server/processing/errors";
import { isTestDelivery, toInboxEvent, type HandlerContext } from "@/server/processing/event";
import { onNewEvents } from "@/server/processing/inbox-signal";
import { checkOrderEvent, createDispatcher, type Dispatcher } from "@/server/processing/dispatch";
import { recordOrderEvents, type OrderEventOfKind } from "@/server/orders/order-projector";
import type { EventNameSettings } from "@/lib/settings";
import { observePayloadShape } from "@/server/drift/detector";
import { createInboxRepository, type ClaimedEvent, type InboxRepository, type RunResult } from "@/server/repositories/inbox";

/** New events per second above which ingest counts as busy and the worker works in smaller slices. */
export const INGEST_BUSY_EVENTS_PER_SECOND = 50;
/** Events claimed and recorded together while ingest is quiet. */
export const PROCESSING_BATCH_MAX = 64;
/**
 * While ingest is busy, how long new events gather after a claim before the next one (unless that claim came back
 * full, so a backlog is waiting): a claim per arriving ingest batch took a few events at a time and paid the batch's
 * transactions for each few (docs/ingest.md#batches).
 */
export const INGEST_BUSY_GATHER_MS = 50;

export interface InboxWorkerOptions {
  /** Recorded as lease owner and on every attempt; unique per process. */
  workerId?: string;
  /** Handlers of their own (not batched order events) running at once. */
  concurrency: number;
  /** Safety-net poll interval; signals from ingest wake the worker sooner. */
  pollMs: number;
  /** How long a claim is exclusive; also the handler's time limit. */
  leaseMs: number;
  /** Runs before an event is dead-lettered. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Replaced handlers (tests); by default every event goes to its class's built-in handler. */
  dispatcher?: Dispatcher;
  repository?: InboxRepository;
  /** Injected so tests can move time instead of sleeping. */
  now?: () => Date;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Counts a recorded run; by default in this thread's metrics (the processing thread hands it to the main thread's). */
  countRun?: (run: CountedRun) => void;
}

/** A recorded run, as the metrics count it. */
export interface CountedRun {
  outcome: RunResult["outcome"] | "lease_lost";
  eventType: string;
}

/** Counts a run in this thread's metrics registry. */
export function countRunInMetrics({ outcome, eventType }: CountedRun): void {
  metrics().runs.inc({ outcome, event_type: eventType });
  if (outcome === "dead") metrics().deadLettered.inc({ event_type: eventType });
}

export interface InboxWorker {
  readonly id: string;
  /** Starts claiming: at once, on every new-events signal, and every poll interval. */
  start(): void;
  /** Stops claiming and resolves once every handler already running has finished and been recorded. */
  stop(): Promise<void>;
  /**
   * Gives back every lease this worker still holds (runs stop() did not wait
   * out), so other instances can claim those events at once instead of after
   * the lease expires. Call after stop(); returns how many were released.
   */
  releaseLeases(): Promise<number>;
  /**
   * Claims and runs due events until none is left, resolving with the number
   * of runs. For tests and one-off use; not meant to overlap with start().
   */
  drain(): Promise<number>;
}

/** A worker id that tells an operator which host and process held a lease. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/**
 * Stops `worker` for a shutdown and gives back the leases of the runs it did
 * not finish; returns how many. stop() waits for running handlers, which may
 * take up to a lease, and the shutdown deadline is usually shorter: leases
 * are given back once stop() is done or `stopWaitMs` has passed, whichever
 * comes first, so another instance takes those events over at once.
 */
export async function stopAndReleaseLeases(worker: InboxWorker, stopWaitMs: number): Promise<number> {
  await Promise.race([worker.stop(), new Promise((resolve) => setTimeout(resolve, stopWaitMs).unref())]);
  return worker.releaseLeases();
}

/** Worker options from the RXWATCH_PROCESSING_* configuration. */
export function inboxWorkerOptionsFromEnv(): InboxWorkerOptions {
  const config = env();
  return {
    concurrency: config.RXWATCH_PROCESSING_CONCURRENCY,
    pollMs: config.RXWATCH_PROCESSING_POLL_MS,
    leaseMs: config.RXWATCH_PROCESSING_LEASE_SECONDS * 1_000,
    maxAttempts: config.RXWATCH_PROCESSING_MAX_ATTEMPTS,
    backoff: { baseMs: config.RXWATCH_PROCESSING_BACKOFF_BASE_MS, maxMs: config.RXWATCH_PROCESSING_BACKOFF_MAX_MS },
  };
}

/**
 * A handler that outlives its lease is given up on: the event may already be
 * running elsewhere, and stop() must not wait forever. The abandoned promise
 * keeps running but its outcome is ignored.
 */
function withTimeLimit(run: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ProcessingError("handler_timeout", `the handler did not finish within ${ms} ms`, { isPermanent: false })), ms);
    timer.unref();
  });
  return Promise.race([run, limit]).finally(() => clearTimeout(timer));
}

/**
 * The inbox worker: claims due events in batches, records a batch's order
 * events together (each order written once, docs/ingest.md#batches), runs
 * other events' own handlers, and records every outcome (processed, failed
 * with a jittered retry time, or dead) in one transaction. Claims are exclusive across
 * workers and instances (see the inbox repository); everything a run writes
 * is fenced by its lease.
 */
export function createInboxWorker(options: InboxWorkerOptions): InboxWorker {
  const id = options.workerId ?? newWorkerId();
  const repository = options.repository ?? createInboxRepository();
  const dispatcher = options.dispatcher ?? createDispatcher();
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const countRun = options.countRun ?? countRunInMetrics;
  const { concurrency, pollMs, leaseMs, maxAttempts, backoff } = options;

  const inFlight = new Set<Promise<void>>();
  let isRunning = false;
  let pass: Promise<void> | null = null;
  let isWakePending = false;
  let isMoreWorkLikely = false;
  let pollTimer: NodeJS.Timeout | undefined;
  // Acknowledging webhooks comes first, but processing must keep pace: while
  // new events arrive faster than INGEST_BUSY_EVENTS_PER_SECOND, the worker
  // lets them gather into fuller batches (INGEST_BUSY_GATHER_MS), gives the
  // event loop a turn between a batch's transactions and runs handlers of
  // their own one at a time. See docs/ingest.md#from-event-to-order.
  const arrivals: { at: number; count: number }[] = [];
  let unsubscribe: (() => void) | undefined;
  let lastLeaseExpiryMs = 0;
  let lastClaimAt = 0;
  let wasLastClaimFull = false;
  let gatherTimer: NodeJS.Timeout | undefined;
  let signalsSeen = 0;

  /*
   * Lease expiries strictly increase within a worker, so (worker id, lease
   * expiry) names exactly one claim: a run that lost its lease cannot pass
   * the fence even if this same worker has since claimed the event again.
   */
  function nextLeaseExpiry(at: Date): Date {
    lastLeaseExpiryMs = Math.max(at.getTime() + leaseMs, lastLeaseExpiryMs + 1);
    return new Date(lastLeaseExpiryMs);
  }

  async function claim(limit: number): Promise<ClaimedEvent[]> {
    const at = now();
    return repository.claimDueEvents({ workerId: id, now: at, leaseExpiresAt: nextLeaseExpiry(at), limit });
  }

  /** Logs a failed run and turns it into its result: retried with backoff, or dead when permanent or out of attempts. */
  function failureOf(claimed: ClaimedEvent, error: unknown): RunResult {
    const { message, isPermanent } = describeRunError(error);
    const outcome = isPermanent || claimed.attempt >= maxAttempts ? "dead" : "failed";
    log(outcome === "dead" ? "error" : "warn", outcome === "dead" ? "event dead-lettered" : "event processing failed, will retry", {
      workerId: id,
      eventId: claimed.id,
      eventType: claimed.eventType,
      attempt: claimed.attempt,
      error: message,
      stack: error instanceof ProcessingError ? undefined : stackFrames(error),
    });
    if (outcome === "dead") return { outcome, error: message };
    return { outcome, error: message, retryAt: new Date(now().getTime() + retryDelayMs(claimed.attempt, backoff, random)) };
  }

  async function runHandler(claimed: ClaimedEvent, eventNames: EventNameSettings): Promise<RunResult> {
    const context: HandlerContext = { attempt: claimed.attempt, workerId: id, now };
    try {
      const event = toInboxEvent(claimed);
      const handler = dispatcher.handlerFor(event.type, eventNames);
      await withTimeLimit(Promise.resolve().then(() => handler(event, context)), leaseMs);
      return { outcome: "succeeded" };
    } catch (error) {
      return failureOf(claimed, error);
    }
  }

  /** Records the order events of a batch together; if that fails, one by one, so one bad event fails alone. */
  async function recordOrderBatch(batch: readonly (OrderEventOfKind & { claimed: ClaimedEvent })[], results: Map<ClaimedEvent, RunResult>): Promise<void> {
    if (batch.length === 0) return;
    try {
      await withTimeLimit(recordOrderEvents(batch), leaseMs);
      for (const { claimed } of batch) results.set(claimed, { outcome: "succeeded" });
      return;
    } catch (error) {
      if (batch.length === 1 && batch[0]) {
        results.set(batch[0].claimed, failureOf(batch[0].claimed, error));
        return;
      }
    }
    for (const item of batch) {
      try {
        await withTimeLimit(recordOrderEvents([item]), leaseMs);
        results.set(item.claimed, { outcome: "succeeded" });
      } catch (error) {
        results.set(item.claimed, failureOf(item.claimed, error));
      }
    }
  }

  /**
   * Runs a claimed batch and records every outcome; never rejects. Order
   * events with built-in handlers are recorded together (each order written
   * once); other events run their own handler, `handlersAtOnce` at a time.
   */
  async function runBatch(claimed: readonly ClaimedEvent[], handlersAtOnce: number): Promise<void> {
    // Acknowledgements that queued up during the claim go before the batch's next transaction.
    await yieldToIo();
    const results = new Map<ClaimedEvent, RunResult>();
    const orderEvents: (OrderEventOfKind & { claimed: ClaimedEvent })[] = [];
    const others: ClaimedEvent[] = [];
    let eventNames: EventNameSettings | null = null;
    try {
      // Read per batch so a renamed event takes effect without a restart; the settings store caches it.
      eventNames = await getSettings("eventNames");
    } catch (error) {
      for (const event of claimed) results.set(event, failureOf(event, error));
    }
    for (const event of eventNames ? claimed : []) {
      if (event.attempt > maxAttempts) {
        // Only reachable when the final attempt's worker died mid-run; running it again could crash the next one.
        results.set(event, { outcome: "dead", error: `interrupted: attempt ${event.attempt - 1} never finished and no attempts are left` });
        continue;
      }
      try {
        const inboxEvent = toInboxEvent(event);
        if (isTestDelivery(inboxEvent)) {
          results.set(event, { outcome: "succeeded" });
          continue;
        }
        if (event.attempt === 1) observePayloadShape({ type: inboxEvent.type, payloadVersion: inboxEvent.payloadVersion, envelope: inboxEvent.envelope ?? { data: inboxEvent.data } });
        const kind = dispatcher.orderFactKindFor(inboxEvent.type, eventNames ?? undefined);
        if (kind === null) {
          others.push(event);
          continue;
        }
        checkOrderEvent(inboxEvent, kind);
        orderEvents.push({ claimed: event, event: inboxEvent, kind });
      } catch (error) {
        results.set(event, failureOf(event, error));
      }
    }
    await recordOrderBatch(orderEvents, results);
    await yieldToIo();
    const queue = [...others];
    await Promise.all(
      Array.from({ length: Math.min(handlersAtOnce, queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          if (eventNames) results.set(next, await runHandler(next, eventNames));
          // A handler that never waits on real I/O (SQLite answers synchronously) must not hold the event loop for a whole batch.
          await yieldToIo();
        }
      }),
    );
    await record(claimed.flatMap((event) => {
      const result = results.get(event);
      return result ? [{ claimed: event, result }] : [];
    }));
  }

  /** Records the outcomes of a batch in one transaction. */
  async function record(runs: readonly { claimed: ClaimedEvent; result: RunResult }[]): Promise<void> {
    try {
      const owners = await repository.finishRuns(
        runs.map(({ claimed, result }) => ({ fence: claimed.fence, attemptId: claimed.attemptId, result })),
        now(),
      );
      runs.forEach(({ claimed, result }, index) => {
        const isOwner = owners[index] ?? false;
        countRun({ outcome: isOwner ? result.outcome : "lease_lost", eventType: eventTypeLabel(claimed.eventType) });
        if (!isOwner) log("warn", "lease lost before the run finished; its result was discarded", { workerId: id, eventId: claimed.id, attempt: claimed.attempt });
      });
    } catch (error) {
      // The events stay leased to us; once the leases expire another run picks them up.
      log("error", "could not record the outcome of a run", { workerId: id, eventIds: runs.map((run) => run.claimed.id).slice(0, 5), count: runs.length, error: summarizeError(error) });
    }
  }

  function dispatch(claimed: ClaimedEvent[], handlersAtOnce: number): void {
    const task: Promise<void> = runBatch(claimed, handlersAtOnce).finally(() => {
      inFlight.delete(task);
      if (isMoreWorkLikely) wake();
    });
    inFlight.add(task);
  }

  function isIngestBusy(): boolean {
    const since = Date.now() - 1_000;
    while (arrivals.length > 0 && (arrivals[0]?.at ?? 0) < since) arrivals.shift();
    return arrivals.reduce((sum, arrival) => sum + arrival.count, 0) >= INGEST_BUSY_EVENTS_PER_SECOND;
  }

  /** Claims and dispatches one batch unless one is in flight; a finishing batch wakes the worker again while work is likely. */
  async function claimAndDispatch(): Promise<void> {
    // better-sqlite3 answers synchronously, so a backlog could otherwise be
    // worked off in one unbroken chain of microtasks that never lets the
    // event loop accept a connection: give I/O a turn before every claim.
    await yieldToIo();
    if (!isRunning || inFlight.size > 0) return;
    const isBusy = isIngestBusy();
    const gatherMs = isBusy && !wasLastClaimFull ? lastClaimAt + INGEST_BUSY_GATHER_MS - Date.now() : 0;
    if (gatherMs > 0) {
      gatherTimer ??= setTimeout(() => {
        gatherTimer = undefined;
        wake();
      }, gatherMs).unref();
      return;
    }
    lastClaimAt = Date.now();
    const limit = Math.max(PROCESSING_BATCH_MAX, concurrency);
    const signalsBeforeClaim = signalsSeen;
    let claimed: ClaimedEvent[];
    try {
      claimed = await claim(limit);
    } catch (error) {
      isMoreWorkLikely = false;
      log("error", "could not claim events; retrying at the next poll", { workerId: id, error: summarizeError(error) });
      return;
    }
    // Dispatched even when stop() came in meanwhile: the events are leased to us now.
    // While ingest is busy, handlers of their own run one at a time.
    if (claimed.length > 0) dispatch(claimed, isBusy ? 1 : concurrency);
    wasLastClaimFull = claimed.length === limit;
    // Events signalled while the claim ran may have committed after it looked: the finishing batch must look again.
    isMoreWorkLikely = wasLastClaimFull || signalsSeen !== signalsBeforeClaim;
  }

  function schedulePoll(): void {
    clearTimeout(pollTimer);
    if (!isRunning) return;
    pollTimer = setTimeout(wake, pollMs);
    pollTimer.unref();
  }

  function wake(): void {
    if (!isRunning) return;
    if (pass) {
      isWakePending = true;
      return;
    }
    pass = (async () => {
      do {
        isWakePending = false;
        await claimAndDispatch();
      } while (isRunning && isWakePending);
    })().finally(() => {
      pass = null;
      schedulePoll();
    });
  }

  async function settle(): Promise<void> {
    await pass;
    while (inFlight.size > 0) await Promise.all(inFlight);
  }

  return {
    id,
    start() {
      if (isRunning) return;
      isRunning = true;
      unsubscribe = onNewEvents((count) => {
        signalsSeen += 1;
        arrivals.push({ at: Date.now(), count });
        isMoreWorkLikely = true;
        wake();
      });
      wake();
    },
    async stop() {
      isRunning = false;
      unsubscribe?.();
      unsubscribe = undefined;
      clearTimeout(pollTimer);
      clearTimeout(gatherTimer);
      gatherTimer = undefined;
      await settle();
    },
    async releaseLeases() {
      return repository.releaseLeases(id, now());
    },
    async drain() {
      let runs = 0;
      for (;;) {
        const claimed = await claim(Math.max(PROCESSING_BATCH_MAX, concurrency));
        if (claimed.length === 0) return runs;
        runs += claimed.length;
        await runBatch(claimed, concurrency);
      }
    },
  };
}
