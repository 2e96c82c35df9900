import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { AttemptOutcome, EventStatus, ReprocessFilter } from "@/lib/processing";
import { PayloadBoxError } from "@/server/crypto/payload-box";
import { currentProvider, db, type Db, type DatabaseProvider } from "@/server/core/db";
import { openDeliveryBody, STORED_BODY_SELECT } from "@/server/repositories/delivery-bodies";

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
export interface ClaimedEvent {
  id: string;
  eventType: string;
  eventTimestamp: bigint;
  payloadVersion: string;
  firstReceivedAt: Date;
  /** This run's number: the event's attempts counter after the claim incremented it. */
  attempt: number;
  /** The ProcessingAttempt row recording this run. */
  attemptId: string;
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
 * Claimable: due (pending, or failed and waiting for its retry) or abandoned
 * (processing with an expired lease, or with none at all: given back by a
 * worker that shut down mid-run, or a hand edit that would otherwise stay stuck).
 */
async function claimIds(tx: Pick<Db, "$queryRaw">, provider: DatabaseProvider, request: ClaimRequest): Promise<z.infer<typeof claimedRowSchema>[]> {
  const { now, workerId, leaseExpiresAt, limit } = request;
  // The one provider difference of the inbox: PostgreSQL claims with FOR UPDATE SKIP
  // LOCKED over a MATERIALIZED candidate set; SQLite's single UPDATE … RETURNING is
  // atomic as it stands. See docs/operations.md#inbox-claims-on-postgresql-and-sqlite
  const rows: unknown =
    provider === "postgresql"
      ? await tx.$queryRaw`
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
          RETURNING "id", "attempts"`
      : await tx.$queryRaw`
          UPDATE "webhook_event"
          SET "status" = 'processing', "lease_owner" = ${workerId}, "lease_expires_at" = ${leaseExpiresAt}, "attempts" = "attempts" + 1
          WHERE "id" IN (
            SELECT "id" FROM "webhook_event"
            WHERE ("status" IN ('pending', 'failed') AND "next_attempt_at" <= ${now})
               OR ("status" = 'processing' AND ("lease_expires_at" IS NULL OR "lease_expires_at" <= ${now}))
            ORDER BY "next_attempt_at", "id"
            LIMIT ${limit}
          )
          RETURNING "id", "attempts"`;
  // ──────────────────────────────────────────────────────────────────────────
  return z.array(claimedRowSchema).parse(rows);
}

type Statements = Pick<Db, "$queryRaw" | "webhookEvent" | "processingAttempt">;

/**
 * Runs `work` in a transaction on PostgreSQL; on SQLite statement by statement, because
 * an interactive transaction would hold the single connection and stall ingest. A crash
 * between two leaves at most an attempt row unfinished, which the lease expiry recovers.
 * See docs/operations.md#inbox-claims-on-postgresql-and-sqlite
 */
async function inTransaction<T>(connection: Db, provider: DatabaseProvider, work: (statements: Statements) => Promise<T>): Promise<T> {
  if (provider === "sqlite") return work(connection);
  return connection.$transaction((tx) => work(tx));
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

async function recordLostLease(tx: Statements, run: FinishedRun, finishedAt: Date): Promise<false> {
  await tx.processingAttempt.updateMany({ where: { id: run.attemptId }, data: { outcome: "failed" satisfies AttemptOutcome, error: lostLeaseError(run.result), finishedAt } });
  return false;
}

/** Records one run's outcome on its event (fenced by its lease) and its attempt row; false when the lease was lost. */
async function finishOne(tx: Statements, run: FinishedRun, finishedAt: Date): Promise<boolean> {
  const { fence, attemptId, result } = run;
  const eventChange =
    result.outcome === "succeeded"
      ? { status: "processed" satisfies EventStatus, processedAt: finishedAt, lastError: null }
      : result.outcome === "failed"
        ? { status: "failed" satisfies EventStatus, nextAttemptAt: result.retryAt, lastError: truncateError(result.error) }
        : { status: "dead" satisfies EventStatus, lastError: truncateError(result.error) };
  const { count } = await tx.webhookEvent.updateMany({
    where: { id: fence.eventId, status: "processing", leaseOwner: fence.workerId, leaseExpiresAt: fence.leaseExpiresAt },
    data: { ...eventChange, leaseOwner: null, leaseExpiresAt: null },
  });
  if (count !== 1) return recordLostLease(tx, run, finishedAt);
  const runError = result.outcome === "succeeded" ? null : result.error;
  await tx.processingAttempt.updateMany({ where: { id: attemptId }, data: { outcome: result.outcome, error: runError === null ? null : truncateError(runError), finishedAt } });
  return true;
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
      const provider = currentProvider();
      const claimed = await inTransaction(connection, provider, async (tx) => {
        const rows = await claimIds(tx, provider, request);
        const attempts = rows.map((row) => ({
          id: randomUUID(),
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
        const stored = event.deliveries[0];
        let body: Uint8Array | null = null;
        let bodyError: string | null = null;
        try {
          body = stored ? openDeliveryBody(stored) : null;
        } catch (error) {
          // One unreadable body fails its own run (retried), not the whole claim.
          if (!(error instanceof PayloadBoxError)) throw error;
          bodyError = error.message;
        }
        return [
          {
            id: event.id,
            eventType: event.eventType,
            eventTimestamp: event.eventTimestamp,
            payloadVersion: event.payloadVersion,
            firstReceivedAt: event.firstReceivedAt,
            attempt: attempt.attempt,
            attemptId: attempt.id,
            fence: { eventId: event.id, workerId: request.workerId, leaseExpiresAt: request.leaseExpiresAt },
            body,
            bodyError,
          },
        ];
      });
    },

    /**
     * Records how a run ended, on the event and on its ProcessingAttempt row,
     * in one transaction. Returns false when the lease was lost (expired and
     * re-claimed, or the event was re-queued): the event is then left to its
     * new owner and the attempt is recorded as failed with `lease_lost`.
     */
    async finishRun(fence: LeaseFence, attemptId: string, finishedAt: Date, result: RunResult): Promise<boolean> {
      const connection = await connect();
      return inTransaction(connection, currentProvider(), (tx) => finishOne(tx, { fence, attemptId, result }, finishedAt));
    },

    /**
     * finishRun for a whole batch in one transaction, answering per run in
     * order. Successful runs of one claim (same owner and lease) are recorded
     * with two statements in all, whatever their number; every run is still
     * fenced by its own lease.
     */
    async finishRuns(runs: readonly FinishedRun[], finishedAt: Date): Promise<boolean[]> {
      if (runs.length === 0) return [];
      const connection = await connect();
      return inTransaction(connection, currentProvider(), async (tx) => {
        const isOwner = new Map<FinishedRun, boolean>();
        const succeededByClaim = new Map<string, FinishedRun[]>();
        for (const run of runs) {
          if (run.result.outcome !== "succeeded") continue;
          const claim = `${run.fence.workerId}\u0000${run.fence.leaseExpiresAt.getTime()}`;
          succeededByClaim.set(claim, [...(succeededByClaim.get(claim) ?? []), run]);
        }
        for (const group of succeededByClaim.values()) {
          const first = group[0];
          if (!first || group.length === 1) continue;
          const owned = await tx.webhookEvent.updateManyAndReturn({
            where: { id: { in: group.map((run) => run.fence.eventId) }, status: "processing", leaseOwner: first.fence.workerId, leaseExpiresAt: first.fence.leaseExpiresAt },
            data: { status: "processed" satisfies EventStatus, processedAt: finishedAt, lastError: null, leaseOwner: null, leaseExpiresAt: null },
            select: { id: true },
          });
          const ownedIds = new Set(owned.map((row) => row.id));
          const kept = group.filter((run) => ownedIds.has(run.fence.eventId));
          if (kept.length > 0) {
            await tx.processingAttempt.updateMany({ where: { id: { in: kept.map((run) => run.attemptId) } }, data: { outcome: "succeeded" satisfies AttemptOutcome, error: null, finishedAt } });
          }
          for (const run of kept) isOwner.set(run, true);
          // Lost leases (rare) are recorded one by one, with their own message.
          for (const run of group) if (!ownedIds.has(run.fence.eventId)) isOwner.set(run, await recordLostLease(tx, run, finishedAt));
        }
        for (const run of runs) if (!isOwner.has(run)) isOwner.set(run, await finishOne(tx, run, finishedAt));
        return runs.map((run) => isOwner.get(run) ?? false);
      });
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
