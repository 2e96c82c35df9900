import "server-only";
import { z } from "zod";
import type { AttemptOutcome, EventStatus, ReprocessFilter } from "@/lib/processing";
import { timeOrderedId } from "@/server/core/time-ordered-id";
import { PayloadBoxError } from "@/server/crypto/payload-box";
import { db, Prisma, sqliteRunnerOf, type Db } from "@/server/core/db";
import { openDeliveryBody, STORED_BODY_SELECT } from "@/server/repositories/delivery-bodies";
import { claimOnSqlite, finishOnSqlite, type ClaimedRow, type SqliteFinish } from "@/server/repositories/inbox-driver";

/*
 * The inbox: claiming due webhook events for a worker, recording how each run
 * ended, and queueing events again. Every change to an event made on behalf
 * of a run is fenced by the lease the claim handed out (see LeaseFence), so a
 * worker that outlived its lease cannot overwrite the newer owner's outcome.
 */

/** Written when a run starts and kept if the run never reports back (worker crashed or was killed). */
export const INTERRUPTED_ATTEMPT_ERROR = "interrupted: the run did not finish (worker stopped or crashed); the event was claimable again once its lease expired";

/** Attempt and event errors are cut to this length; longer text would only be a stack or a dump. */
export const MAX_ERROR_CHARS = 1_000;

/** Identifies one claim of one event: the owner and the exact lease expiry it set. */
export interface LeaseFence {
  eventId: string;
  workerId: string;
  leaseExpiresAt: Date;
}

/** A claimed event with what its handler needs. */
export interface ClaimedEvent extends Omit<ClaimedRow, "storedBody"> {
  fence: LeaseFence;
  /** Raw body of the event's first stored delivery; null when none kept its body or it cannot be opened. */
  body: Uint8Array | null;
  /** Why a kept body cannot be opened (e.g. its key is not configured); names a key id at most, never data. */
  bodyError: string | null;
}

export interface ClaimRequest {
  workerId: string;
  now: Date;
  leaseExpiresAt: Date;
  limit: number;
}

/** How a run ended, from the worker's point of view. */
export type RunResult =
  | { outcome: "succeeded" }
  | { outcome: "failed"; error: string; retryAt: Date }
  | { outcome: "dead"; error: string };

const claimedRowSchema = z.object({
  id: z.string(),
  attempts: z.union([z.number(), z.bigint()]).transform(Number),
});

function truncateError(message: string): string {
  return message.length <= MAX_ERROR_CHARS ? message : `${message.slice(0, MAX_ERROR_CHARS - 1)}…`;
}

/**
 * PostgreSQL's claim of up to `request.limit` claimable events, first due
 * first: claimable is due (pending, or failed and waiting for its retry) or
 * abandoned (processing with an expired lease, or with none at all: given back
 * by a worker that shut down mid-run, or a hand edit that would otherwise stay
 * stuck). FOR UPDATE SKIP LOCKED over a MATERIALIZED candidate set; SQLite's
 * claim is SQLITE_CLAIM_SQL (inbox-driver.ts).
 * See docs/operations.md#inbox-claims-on-postgresql-and-sqlite
 */
function postgresClaimStatement(request: ClaimRequest): Prisma.Sql {
  const { now, workerId, leaseExpiresAt, limit } = request;
  return Prisma.sql`
    WITH claimable AS MATERIALIZED (
      SELECT "id" FROM "webhook_event"
      WHERE ("status" IN ('pending', 'failed') AND "next_attempt_at" <= ${now})
         OR ("status" = 'processing' AND ("lease_expires_at" IS NULL OR "lease_expires_at" <= ${now}))
      ORDER BY "next_attempt_at", "id"
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE "webhook_event"
    SET "status" = 'processing', "lease_owner" = ${workerId}, "lease_expires_at" = ${leaseExpiresAt}, "attempts" = "attempts" + 1
    WHERE "id" IN (SELECT "id" FROM claimable)
    RETURNING "id", "attempts"`;
}

/** The claim on PostgreSQL: the UPDATE and the attempt rows in one transaction, then what each run needs. */
async function claimOnPostgres(connection: Db, request: ClaimRequest): Promise<ClaimedRow[]> {
  const claimed = await connection.$transaction(async (tx) => {
    const rows = z.array(claimedRowSchema).parse(await tx.$queryRaw(postgresClaimStatement(request)));
    const attempts = rows.map((row) => ({
      id: timeOrderedId(request.now.getTime()),
      eventId: row.id,
      attempt: row.attempts,
      worker: request.workerId,
      startedAt: request.now,
      outcome: "failed" satisfies AttemptOutcome,
      error: INTERRUPTED_ATTEMPT_ERROR,
    }));
    if (attempts.length > 0) await tx.processingAttempt.createMany({ data: attempts });
    return attempts;
  });
  if (claimed.length === 0) return [];
  const events = await connection.webhookEvent.findMany({
    where: { id: { in: claimed.map((attempt) => attempt.eventId) } },
    select: {
      id: true,
      eventType: true,
      eventTimestamp: true,
      payloadVersion: true,
      firstReceivedAt: true,
      deliveries: { where: { body: { not: null } }, orderBy: [{ receivedAt: "asc" }, { id: "asc" }], take: 1, select: STORED_BODY_SELECT },
    },
  });
  const byId = new Map(events.map((event) => [event.id, event]));
  return claimed.flatMap((attempt) => {
    const event = byId.get(attempt.eventId);
    // Deleted between claim and read (retention): nothing left to run.
    if (!event) return [];
    const { deliveries, ...row } = event;
    return [{ ...row, attempt: attempt.attempt, attemptId: attempt.id, storedBody: deliveries[0] ?? null }];
  });
}

/** One run's outcome, as the worker reports it. */
export interface FinishedRun {
  fence: LeaseFence;
  attemptId: string;
  result: RunResult;
}

function lostLeaseError(result: RunResult): string {
  const runError = result.outcome === "succeeded" ? null : result.error;
  return truncateError(`lease_lost: the lease expired or the event was re-queued before this run finished; its result (${result.outcome}${runError === null ? "" : `: ${runError}`}) was discarded`);
}

async function recordLostLease(tx: Db, run: FinishedRun, finishedAt: Date): Promise<false> {
  await tx.processingAttempt.updateMany({ where: { id: run.attemptId }, data: { outcome: "failed" satisfies AttemptOutcome, error: lostLeaseError(run.result), finishedAt } });
  return false;
}

/** What a finished run changes on its event. */
function eventChangeOf(result: RunResult, finishedAt: Date) {
  const change =
    result.outcome === "succeeded"
      ? { status: "processed" satisfies EventStatus, processedAt: finishedAt, lastError: null }
      : result.outcome === "failed"
        ? { status: "failed" satisfies EventStatus, nextAttemptAt: result.retryAt, lastError: truncateError(result.error) }
        : { status: "dead" satisfies EventStatus, lastError: truncateError(result.error) };
  return { ...change, leaseOwner: null, leaseExpiresAt: null };
}

/** The events a claim still holds: fenced by owner and lease expiry, so a run that lost its lease changes nothing. */
function heldBy(fence: LeaseFence, eventIds: string[]) {
  return { id: { in: eventIds }, status: "processing", leaseOwner: fence.workerId, leaseExpiresAt: fence.leaseExpiresAt };
}

const updatedRowsSchema = z.array(z.object({ id: z.string() }));

/** A run's outcome as finishOnSqlite writes it: eventChangeOf's change, one row at a time. */
function sqliteFinishOf({ fence, attemptId, result }: FinishedRun, finishedAt: Date): SqliteFinish {
  const change = eventChangeOf(result, finishedAt);
  return {
    eventId: fence.eventId,
    attemptId,
    owner: fence.workerId,
    leaseExpiresAt: fence.leaseExpiresAt,
    outcome: result.outcome,
    status: change.status,
    processedAt: ("processedAt" in change ? change.processedAt : undefined) ?? null,
    nextAttemptAt: ("nextAttemptAt" in change ? change.nextAttemptAt : undefined) ?? null,
    error: change.lastError,
  };
}

/**
 * The outcomes on PostgreSQL, as one batch transaction: successful runs of one
 * claim with two statements in all, whatever their number; every other run
 * with two of its own.
 */
async function finishOnPostgres(connection: Db, runs: readonly FinishedRun[], finishedAt: Date): Promise<boolean[]> {
  const groups = new Map<string, FinishedRun[]>();
  for (const [index, run] of runs.entries()) {
    const key = run.result.outcome === "succeeded" ? `claim:${run.fence.workerId}\u0000${run.fence.leaseExpiresAt.getTime()}` : `run:${index}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const statements = [...groups.values()].flatMap((group) => {
    const [first] = group;
    if (!first) return [];
    const eventIds = group.map((run) => run.fence.eventId);
    const runError = first.result.outcome === "succeeded" ? null : truncateError(first.result.error);
    return [
      connection.processingAttempt.updateMany({
        where: { id: { in: group.map((run) => run.attemptId) }, event: heldBy(first.fence, eventIds) },
        data: { outcome: first.result.outcome satisfies AttemptOutcome, error: runError, finishedAt },
      }),
      connection.webhookEvent.updateManyAndReturn({ where: heldBy(first.fence, eventIds), data: eventChangeOf(first.result, finishedAt), select: { id: true } }),
    ];
  });
  const results: unknown[] = await connection.$transaction(statements);
  const closedEventIds = new Set(results.filter((_, index) => index % 2 === 1).flatMap((rows) => updatedRowsSchema.parse(rows).map((row) => row.id)));
  return runs.map((run) => closedEventIds.has(run.fence.eventId));
}

const RESET_TO_PENDING = { status: "pending", attempts: 0, leaseOwner: null, leaseExpiresAt: null, lastError: null, processedAt: null } as const;

/**
 * The inbox queries, bound to `client` (tests and a second worker pass their
 * own from createDb, for the configured database) or to the shared client.
 */
export function createInboxRepository(client?: Db) {
  const connect = async (): Promise<Db> => client ?? (await db());

  return {
    /**
     * Atomically claims up to `limit` claimable events for `workerId`: marks
     * them processing with the given lease, increments their attempts and
     * writes a ProcessingAttempt row per run (as "interrupted" until the run
     * reports back). Safe to call from several workers and instances at once:
     * no event is handed to two claims.
     */
    async claimDueEvents(request: ClaimRequest): Promise<ClaimedEvent[]> {
      if (request.limit < 1) return [];
      const connection = await connect();
      const runOnSqlite = sqliteRunnerOf(connection);
      const rows = runOnSqlite
        ? await runOnSqlite((database) => claimOnSqlite(database, { ...request, interruptedError: INTERRUPTED_ATTEMPT_ERROR }))
        : await claimOnPostgres(connection, request);
      return rows.map(({ storedBody, ...row }) => {
        let body: Uint8Array | null = null;
        let bodyError: string | null = null;
        try {
          body = storedBody ? openDeliveryBody(storedBody) : null;
        } catch (error) {
          // One unreadable body fails its own run (retried), not the whole claim.
          if (!(error instanceof PayloadBoxError)) throw error;
          bodyError = error.message;
        }
        return { ...row, fence: { eventId: row.id, workerId: request.workerId, leaseExpiresAt: request.leaseExpiresAt }, body, bodyError };
      });
    },

    /**
     * Records how a run ended, on the event and on its ProcessingAttempt row,
     * in one transaction. Returns false when the lease was lost (expired and
     * re-claimed, or the event was re-queued): the event is then left to its
     * new owner and the attempt is recorded as failed with `lease_lost`.
     */
    async finishRun(fence: LeaseFence, attemptId: string, finishedAt: Date, result: RunResult): Promise<boolean> {
      const [isOwner = false] = await this.finishRuns([{ fence, attemptId, result }], finishedAt);
      return isOwner;
    },

    /**
     * finishRun for a whole batch in one transaction, answering per run in
     * order; every run is fenced by its own lease, and an event never ends up
     * processed while its attempt row still says the run was interrupted.
     * Each attempt row is closed first, under the same fence as its event,
     * because closing the event lifts the fence.
     *
     * Never an interactive transaction, which on SQLite would hold the single
     * connection across event-loop turns: on SQLite one synchronous
     * transaction on the driver (finishOnSqlite), on PostgreSQL a batch
     * transaction (finishOnPostgres).
     */
    async finishRuns(runs: readonly FinishedRun[], finishedAt: Date): Promise<boolean[]> {
      if (runs.length === 0) return [];
      const connection = await connect();
      const runOnSqlite = sqliteRunnerOf(connection);
      const owned = runOnSqlite
        ? await runOnSqlite((database) => finishOnSqlite(database, runs.map((run) => sqliteFinishOf(run, finishedAt)), finishedAt))
        : await finishOnPostgres(connection, runs, finishedAt);
      // Lost leases (rare) are recorded one by one, with their own message; the event belongs to its new owner.
      for (const [index, run] of runs.entries()) if (!owned[index]) await recordLostLease(connection, run, finishedAt);
      return owned;
    },

    /**
     * Gives up the leases `workerId` holds (a stopping worker whose runs did
     * not finish): the events stay `processing` with no lease, which makes
     * them claimable at once, and a late finishRun of the abandoned run fails
     * its fence and is recorded as lease_lost. Returns how many were released.
     */
    async releaseLeases(workerId: string, now: Date): Promise<number> {
      const connection = await connect();
      const { count } = await connection.webhookEvent.updateMany({
        where: { status: "processing", leaseOwner: workerId },
        data: { leaseOwner: null, leaseExpiresAt: null, nextAttemptAt: now },
      });
      return count;
    },

    /**
     * Queues one event to run again now, whatever its status, with a fresh
     * attempt budget; its ProcessingAttempt history is kept. Returns null when
     * no such event exists.
     */
    async requeueEvent(id: string, now: Date): Promise<{ previousStatus: string; nextAttemptAt: Date } | null> {
      const connection = await connect();
      return connection.$transaction(async (tx) => {
        const event = await tx.webhookEvent.findUnique({ where: { id }, select: { status: true } });
        if (!event) return null;
        await tx.webhookEvent.update({ where: { id }, data: { ...RESET_TO_PENDING, nextAttemptAt: now } });
        return { previousStatus: event.status, nextAttemptAt: now };
      });
    },

    /** Queues every event matching `filter` to run again now; returns how many. */
    async requeueEvents(filter: ReprocessFilter, now: Date): Promise<number> {
      const connection = await connect();
      const { count } = await connection.webhookEvent.updateMany({
        where: {
          ...(filter.statuses ? { status: { in: filter.statuses } } : {}),
          ...(filter.eventType ? { eventType: filter.eventType } : {}),
        },
        data: { ...RESET_TO_PENDING, nextAttemptAt: now },
      });
      return count;
    },
  };
}

export type InboxRepository = ReturnType<typeof createInboxRepository>;
