import "server-only";
import type BetterSqlite3 from "better-sqlite3";
import { z } from "zod";
import type { AttemptOutcome } from "@/lib/processing";
import { timeOrderedId } from "@/server/core/time-ordered-id";
import { sqliteDateTime, statementsPerConnection } from "@/server/repositories/sqlite-driver";

/*
 * The inbox worker's two per-batch transactions on SQLite — the claim and
 * recording the outcomes — run on the database driver rather than through
 * Prisma, for the reason the ingest batch does (deliveries-driver.ts): in the
 * processing thread, which also stores every webhook, Prisma's per-call cost
 * was the larger part of a batch (docs/ingest.md#the-processing-thread).
 * Each is one synchronous transaction of prepared statements, so it never
 * holds the connection across event-loop turns. Columns and stored forms
 * match what Prisma writes; every other reader stays on Prisma. PostgreSQL
 * keeps its statements in server/repositories/inbox.ts.
 */

/** A claimed event as the claim transaction read it: the row and its first stored body, still sealed. */
export interface ClaimedRow {
  id: string;
  eventType: string;
  eventTimestamp: bigint;
  payloadVersion: string;
  firstReceivedAt: Date;
  /** This run's number: the event's attempts counter after the claim incremented it. */
  attempt: number;
  /** The ProcessingAttempt row recording this run. */
  attemptId: string;
  /** The event's first delivery that kept its body; null when none did. */
  storedBody: { id: string; body: Uint8Array | null; bodyKeyId: string | null } | null;
}

export interface SqliteClaim {
  workerId: string;
  now: Date;
  leaseExpiresAt: Date;
  limit: number;
  /** Written on each new attempt row until the run reports back. */
  interruptedError: string;
}

/** How one run changes its attempt row and its event, fenced by the claim's owner and lease expiry. */
export interface SqliteFinish {
  eventId: string;
  attemptId: string;
  owner: string;
  leaseExpiresAt: Date;
  outcome: AttemptOutcome;
  status: string;
  /** Null keeps the column as it is (so only a successful run sets processed_at, only a retried one next_attempt_at). */
  processedAt: Date | null;
  nextAttemptAt: Date | null;
  error: string | null;
}

/**
 * The candidates, one status at a time: each arm walks the (status,
 * next_attempt_at, id) index in order and stops at the limit. Written as one
 * OR, SQLite collected every due event and sorted them, so a claim's cost grew
 * with the backlog (docs/operations.md#inbox-claims-on-postgresql-and-sqlite).
 */
export const SQLITE_CLAIM_SQL = `
  UPDATE "webhook_event"
  SET "status" = 'processing', "lease_owner" = @workerId, "lease_expires_at" = @leaseExpiresAt, "attempts" = "attempts" + 1
  WHERE "id" IN (
    SELECT "id" FROM (
      SELECT * FROM (SELECT "id", "next_attempt_at" FROM "webhook_event" WHERE "status" = 'pending' AND "next_attempt_at" <= @now ORDER BY "next_attempt_at", "id" LIMIT @limit)
      UNION ALL
      SELECT * FROM (SELECT "id", "next_attempt_at" FROM "webhook_event" WHERE "status" = 'failed' AND "next_attempt_at" <= @now ORDER BY "next_attempt_at", "id" LIMIT @limit)
      UNION ALL
      SELECT * FROM (
        SELECT "id", "next_attempt_at" FROM "webhook_event" WHERE "status" = 'processing' AND ("lease_expires_at" IS NULL OR "lease_expires_at" <= @now)
        ORDER BY "next_attempt_at", "id" LIMIT @limit
      )
    )
    ORDER BY "next_attempt_at", "id"
    LIMIT @limit
  )
  RETURNING "id", "attempts"`;

interface InboxStatements {
  claim: BetterSqlite3.Statement;
  insertAttempt: BetterSqlite3.Statement;
  readEvent: BetterSqlite3.Statement;
  readFirstStoredBody: BetterSqlite3.Statement;
  closeAttempt: BetterSqlite3.Statement;
  closeEvent: BetterSqlite3.Statement;
}

const statementsOf = statementsPerConnection((database): InboxStatements => {
  const heldByClaim = `"status" = 'processing' AND "lease_owner" = @owner AND "lease_expires_at" = @leaseExpiresAt`;
  return {
    claim: database.prepare(SQLITE_CLAIM_SQL),
    insertAttempt: database.prepare(`INSERT INTO "processing_attempt" ("id", "event_id", "attempt", "worker", "started_at", "outcome", "error")
      VALUES (@id, @eventId, @attempt, @worker, @startedAt, @outcome, @error)`),
    readEvent: database.prepare(`SELECT "id", "event_type", "event_timestamp", "payload_version", "first_received_at" FROM "webhook_event" WHERE "id" = @id`),
    readFirstStoredBody: database.prepare(`SELECT "id", "body", "body_key_id" FROM "delivery"
      WHERE "event_id" = @eventId AND "body" IS NOT NULL ORDER BY "received_at", "id" LIMIT 1`),
    // The attempt row first: closing the event lifts the fence both are checked against.
    closeAttempt: database.prepare(`UPDATE "processing_attempt" SET "outcome" = @outcome, "error" = @error, "finished_at" = @finishedAt
      WHERE "id" = @attemptId AND EXISTS (SELECT 1 FROM "webhook_event" WHERE "id" = @eventId AND ${heldByClaim})`),
    closeEvent: database.prepare(`UPDATE "webhook_event"
      SET "status" = @status, "processed_at" = COALESCE(@processedAt, "processed_at"), "next_attempt_at" = COALESCE(@nextAttemptAt, "next_attempt_at"),
        "last_error" = @error, "lease_owner" = NULL, "lease_expires_at" = NULL
      WHERE "id" = @eventId AND ${heldByClaim}
      RETURNING "id"`),
  };
});

// The adapter's connection reads integers as BigInt (safeIntegers).
const integer = z.union([z.number(), z.bigint()]);
const claimedIdSchema = z.object({ id: z.string(), attempts: integer.transform(Number) });
const eventRowSchema = z.object({
  id: z.string(),
  event_type: z.string(),
  event_timestamp: integer.transform(BigInt),
  payload_version: z.string(),
  first_received_at: z.string().transform((text, context) => {
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) context.addIssue({ code: "custom", message: "first_received_at is not a date" });
    return date;
  }),
});
const storedBodySchema = z.object({
  id: z.string(),
  body: z.instanceof(Uint8Array).nullable(),
  body_key_id: z.string().nullable(),
});

/**
 * Claims up to `claim.limit` claimable events in one transaction: marks them
 * processing under the claim's lease, writes an attempt row per run (as
 * interrupted until it reports back) and reads what each run needs.
 */
export function claimOnSqlite(database: BetterSqlite3.Database, claim: SqliteClaim): ClaimedRow[] {
  const statements = statementsOf(database);
  const now = sqliteDateTime(claim.now);
  const transaction = database.transaction((): ClaimedRow[] => {
    const claimed = z.array(claimedIdSchema).parse(statements.claim.all({ workerId: claim.workerId, leaseExpiresAt: sqliteDateTime(claim.leaseExpiresAt), now, limit: claim.limit }));
    return claimed.flatMap(({ id, attempts }) => {
      const attemptId = timeOrderedId(claim.now.getTime());
      statements.insertAttempt.run({ id: attemptId, eventId: id, attempt: attempts, worker: claim.workerId, startedAt: now, outcome: "failed" satisfies AttemptOutcome, error: claim.interruptedError });
      const event = eventRowSchema.parse(statements.readEvent.get({ id }));
      const stored = statements.readFirstStoredBody.get({ eventId: id });
      const storedBody = stored === undefined ? null : storedBodySchema.parse(stored);
      return [
        {
          id: event.id,
          eventType: event.event_type,
          eventTimestamp: event.event_timestamp,
          payloadVersion: event.payload_version,
          firstReceivedAt: event.first_received_at,
          attempt: attempts,
          attemptId,
          storedBody: storedBody && { id: storedBody.id, body: storedBody.body, bodyKeyId: storedBody.body_key_id },
        },
      ];
    });
  });
  return transaction.immediate();
}

/**
 * Records runs' outcomes in one transaction, each fenced by its claim's owner
 * and lease expiry; answers per run whether it still held its lease.
 */
export function finishOnSqlite(database: BetterSqlite3.Database, finishes: readonly SqliteFinish[], finishedAt: Date): boolean[] {
  const statements = statementsOf(database);
  const finished = sqliteDateTime(finishedAt);
  const dateOrNull = (date: Date | null) => (date === null ? null : sqliteDateTime(date));
  const transaction = database.transaction((): boolean[] =>
    finishes.map((finish) => {
      const fence = { eventId: finish.eventId, owner: finish.owner, leaseExpiresAt: sqliteDateTime(finish.leaseExpiresAt) };
      statements.closeAttempt.run({ ...fence, attemptId: finish.attemptId, outcome: finish.outcome, error: finish.error, finishedAt: finished });
      const closed = statements.closeEvent.get({
        ...fence,
        status: finish.status,
        processedAt: dateOrNull(finish.processedAt),
        nextAttemptAt: dateOrNull(finish.nextAttemptAt),
        error: finish.error,
      });
      return closed !== undefined;
    }),
  );
  return transaction.immediate();
}
