import "server-only";
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import { z } from "zod";
import { driverAccess } from "@/server/core/db";
import { sqliteDateTime, statementsPerConnection } from "@/server/repositories/sqlite-driver";

/*
 * The ingest group commit's SQL, run on the database driver rather than
 * through Prisma: at ingest rates Prisma's per-call cost (query compilation,
 * argument mapping, its interactive-transaction round trips) was the larger
 * part of a batch (docs/ingest.md#the-write-path). Statements are prepared
 * once and reused — better-sqlite3 statements per connection, named pg
 * statements per pooled connection whose arrays (`unnest`) carry any number
 * of rows — and values are always parameters. Columns and their stored forms
 * match what Prisma writes (prisma/models.prisma), so every reader stays on
 * Prisma; tests/integration/deliveries-driver.test.ts reads a batch back
 * through it field by field.
 */

/** One distinct event of a batch, as inserted when new. */
export interface EventRow {
  id: string;
  eventType: string;
  eventTimestamp: bigint;
  payloadVersion: string;
  dataUid: string;
  bodySha256: string;
  /** Another event in this batch has the same dedup key with a different body. */
  isCollisionInBatch: boolean;
  isKnownType: boolean;
  /** Further deliveries of this event in the batch (added to an existing row's count, plus one). */
  duplicateCount: number;
  orderUid: string | null;
  pharmacyOrderUid: string | null;
  shopOrderName: string | null;
  patientKey: string | null;
  pharmacyUid: string | null;
  dataStatus: string | null;
}

/** What the event upsert returns per event row: the stored event (new or existing). */
export interface UpsertedEvent {
  id: string;
  eventType: string;
  eventTimestamp: string;
  dataUid: string;
  bodySha256: string;
  isKeyCollision: boolean;
}

export interface DeliveryRow {
  id: string;
  receivedAt: Date;
  outcome: string;
  reasonCode: string | null;
  reasonDetail: string | null;
  flags: string;
  httpStatus: number;
  bodySha256: string;
  bodySize: number;
  body: Uint8Array | null;
  bodyKeyId: string | null;
  patientKey: string | null;
  headers: string;
  sourceAddress: string | null;
  eventTypeHeader: string | null;
  matchedSecretId: string | null;
  eventId: string | null;
}

export interface AckTimeRow {
  deliveryId: string;
  ackMs: number;
}

export interface DeliveryBatch<Result> {
  now: Date;
  /** Sorted by key, so concurrent PostgreSQL writers lock rows in the same order. */
  events: readonly EventRow[];
  /** Called inside the transaction with the upserted events; its rows are inserted, its result returned. Throwing rolls back. */
  deliveries: (upserted: UpsertedEvent[]) => { rows: readonly DeliveryRow[]; result: Result };
  ackTimes: readonly AckTimeRow[];
}

const upsertedRowSchema = z.object({
  id: z.string(),
  event_type: z.string(),
  event_timestamp: z.union([z.bigint(), z.number(), z.string()]).transform(String),
  data_uid: z.string(),
  body_sha256: z.string(),
  is_key_collision: z.union([z.boolean(), z.number(), z.bigint()]).transform((value) => Boolean(value)),
});

function toUpserted(row: unknown): UpsertedEvent {
  const parsed = upsertedRowSchema.parse(row);
  return { id: parsed.id, eventType: parsed.event_type, eventTimestamp: parsed.event_timestamp, dataUid: parsed.data_uid, bodySha256: parsed.body_sha256, isKeyCollision: parsed.is_key_collision };
}

const EVENT_COLUMNS = `"id", "event_type", "event_timestamp", "payload_version", "data_uid", "body_sha256", "is_key_collision", "is_known_type",
  "first_received_at", "last_received_at", "duplicate_count", "status", "attempts", "next_attempt_at",
  "order_uid", "pharmacy_order_uid", "shop_order_name", "patient_key", "pharmacy_uid", "data_status"`;
const EVENT_CONFLICT = `ON CONFLICT ("event_type", "event_timestamp", "data_uid", "body_sha256") DO UPDATE SET
  "duplicate_count" = "webhook_event"."duplicate_count" + "excluded"."duplicate_count" + 1,
  "last_received_at" = "excluded"."last_received_at"
  RETURNING "id", "event_type", "event_timestamp", "data_uid", "body_sha256", "is_key_collision"`;
const DELIVERY_COLUMNS = `"id", "received_at", "outcome", "reason_code", "reason_detail", "flags", "http_status", "body_sha256", "body_size", "body", "body_key_id",
  "patient_key", "headers", "source_address", "event_type_header", "matched_secret_id", "event_id"`;

// ---------------------------------------------------------------------------
// SQLite: one row per statement run — a run of a prepared statement is a
// function call, not a round trip.

interface SqliteStatements {
  upsertEvent: BetterSqlite3.Statement;
  insertDelivery: BetterSqlite3.Statement;
  updateAckTime: BetterSqlite3.Statement;
}

const prepareSqliteStatements = statementsPerConnection((database): SqliteStatements => {
  return {
    upsertEvent: database.prepare(`INSERT INTO "webhook_event" (${EVENT_COLUMNS})
      VALUES (@id, @eventType, @eventTimestamp, @payloadVersion, @dataUid, @bodySha256,
        @isCollisionInBatch OR EXISTS (SELECT 1 FROM "webhook_event" AS "other" WHERE "other"."event_type" = @eventType AND "other"."event_timestamp" = @eventTimestamp AND "other"."data_uid" = @dataUid AND "other"."body_sha256" <> @bodySha256),
        @isKnownType, @now, @now, @duplicateCount, 'pending', 0, @now,
        @orderUid, @pharmacyOrderUid, @shopOrderName, @patientKey, @pharmacyUid, @dataStatus)
      ${EVENT_CONFLICT}`),
    insertDelivery: database.prepare(`INSERT INTO "delivery" (${DELIVERY_COLUMNS})
      VALUES (@id, @receivedAt, @outcome, @reasonCode, @reasonDetail, @flags, @httpStatus, @bodySha256, @bodySize, @body, @bodyKeyId,
        @patientKey, @headers, @sourceAddress, @eventTypeHeader, @matchedSecretId, @eventId)`),
    updateAckTime: database.prepare(`UPDATE "delivery" SET "ack_ms" = @ackMs WHERE "id" = @deliveryId`),
  };
});

function sqliteBytes(bytes: Uint8Array | null): Buffer | null {
  if (bytes === null) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function writeSqliteBatch<Result>(database: BetterSqlite3.Database, batch: DeliveryBatch<Result>): Result {
  // runExclusive keeps Prisma's transactions out; this guards the contract instead of nesting into one as a savepoint.
  if (database.inTransaction) throw new Error("the SQLite connection is inside another transaction");
  const statements = prepareSqliteStatements(database);
  const now = sqliteDateTime(batch.now);
  // One statement per row, so a row's collision check sees the rows written
  // before it in this batch: the first body of each dedup key goes first, or
  // it would be flagged as colliding with a later body (which the batch
  // already flags). Stable, and the results are matched by key, not position.
  const events = [...batch.events].sort((a, b) => Number(a.isCollisionInBatch) - Number(b.isCollisionInBatch));
  const write = database.transaction((): Result => {
    const upserted = events.map((event) =>
      toUpserted(
        statements.upsertEvent.get({
          ...event,
          isCollisionInBatch: event.isCollisionInBatch ? 1 : 0,
          isKnownType: event.isKnownType ? 1 : 0,
          now,
        }),
      ),
    );
    const { rows, result } = batch.deliveries(upserted);
    for (const row of rows) statements.insertDelivery.run({ ...row, receivedAt: sqliteDateTime(row.receivedAt), body: sqliteBytes(row.body) });
    for (const ackTime of batch.ackTimes) statements.updateAckTime.run(ackTime);
    return result;
  });
  // IMMEDIATE takes the write lock at BEGIN, as a write transaction needs it anyway.
  return withDurableCommit(database, () => write.immediate());
}

/** SQLite's `synchronous` levels, as `PRAGMA synchronous` reads them. */
const SQLITE_SYNCHRONOUS_FULL = 2;

/**
 * Runs `commit` with `synchronous` at least FULL, then restores the
 * connection's own setting. A webhook is acknowledged once its batch is
 * committed, so that commit is durable even on a connection whose other
 * commits are not (relaxSqliteCommits in server/core/db.ts). `commit` must be
 * synchronous: nothing else may run on the connection meanwhile.
 */
export function withDurableCommit<T>(database: BetterSqlite3.Database, commit: () => T): T {
  // The adapter reads integers as BigInt (safeIntegers).
  const setting = z.union([z.number(), z.bigint()]).transform(Number).parse(database.pragma("synchronous", { simple: true }));
  if (setting >= SQLITE_SYNCHRONOUS_FULL) return commit();
  database.pragma(`synchronous = ${SQLITE_SYNCHRONOUS_FULL}`);
  try {
    return commit();
  } finally {
    database.pragma(`synchronous = ${setting}`);
  }
}

// ---------------------------------------------------------------------------
// PostgreSQL: one statement per table per batch, rows as parameter arrays.

const PG_UPSERT_EVENTS = {
  name: "rxwatch_ingest_upsert_events",
  text: `INSERT INTO "webhook_event" (${EVENT_COLUMNS})
    SELECT "e"."id", "e"."event_type", "e"."event_timestamp", "e"."payload_version", "e"."data_uid", "e"."body_sha256",
      "e"."is_collision_in_batch" OR EXISTS (SELECT 1 FROM "webhook_event" AS "other" WHERE "other"."event_type" = "e"."event_type" AND "other"."event_timestamp" = "e"."event_timestamp" AND "other"."data_uid" = "e"."data_uid" AND "other"."body_sha256" <> "e"."body_sha256"),
      "e"."is_known_type", $1::timestamp(3), $1::timestamp(3), "e"."duplicate_count", 'pending', 0, $1::timestamp(3),
      "e"."order_uid", "e"."pharmacy_order_uid", "e"."shop_order_name", "e"."patient_key", "e"."pharmacy_uid", "e"."data_status"
    FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::boolean[], $10::int[],
      $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
      WITH ORDINALITY AS "e"("id", "event_type", "event_timestamp", "payload_version", "data_uid", "body_sha256", "is_collision_in_batch", "is_known_type", "duplicate_count",
        "order_uid", "pharmacy_order_uid", "shop_order_name", "patient_key", "pharmacy_uid", "data_status", "position")
    ORDER BY "e"."position"
    ${EVENT_CONFLICT}`,
};

const PG_INSERT_DELIVERIES = {
  name: "rxwatch_ingest_insert_deliveries",
  text: `INSERT INTO "delivery" (${DELIVERY_COLUMNS})
    SELECT * FROM unnest($1::text[], $2::timestamp(3)[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::int[], $10::bytea[], $11::text[],
      $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])`,
};

const PG_UPDATE_ACK_TIMES = {
  name: "rxwatch_ingest_update_ack_times",
  text: `UPDATE "delivery" SET "ack_ms" = "a"."ack_ms" FROM unnest($1::text[], $2::double precision[]) AS "a"("id", "ack_ms") WHERE "delivery"."id" = "a"."id"`,
};

function column<Row, Value>(rows: readonly Row[], pick: (row: Row) => Value): Value[] {
  return rows.map(pick);
}

/** Parameters for timestamp(3) columns: UTC, as Prisma's pg adapter writes them (a zone suffix is ignored by `timestamp`). */
function pgTimestamp(date: Date): string {
  return date.toISOString();
}

async function writePostgresBatch<Result>(pool: pg.Pool, batch: DeliveryBatch<Result>): Promise<Result> {
  const client = await pool.connect();
  // A connection lost between two statements reports it as an 'error' event (unhandled, it would end the process); the next statement fails with it too.
  const ignoreConnectionError = () => undefined;
  client.on("error", ignoreConnectionError);
  const release = (isBroken: boolean) => {
    client.removeListener("error", ignoreConnectionError);
    client.release(isBroken);
  };
  try {
    await client.query("BEGIN");
  } catch (error) {
    release(true);
    throw error;
  }
  try {
    const result = await runPostgresBatch(client, batch);
    await client.query("COMMIT");
    release(false);
    return result;
  } catch (error) {
    // A connection that cannot even roll back is discarded, not handed to the next batch.
    await client.query("ROLLBACK").then(
      () => release(false),
      () => release(true),
    );
    throw error;
  }
}

async function runPostgresBatch<Result>(client: pg.PoolClient, batch: DeliveryBatch<Result>): Promise<Result> {
  let upserted: UpsertedEvent[] = [];
  const events = batch.events;
  if (events.length > 0) {
    const { rows } = await client.query({
      ...PG_UPSERT_EVENTS,
      values: [
        pgTimestamp(batch.now),
        column(events, (event) => event.id),
        column(events, (event) => event.eventType),
        column(events, (event) => event.eventTimestamp.toString()),
        column(events, (event) => event.payloadVersion),
        column(events, (event) => event.dataUid),
        column(events, (event) => event.bodySha256),
        column(events, (event) => event.isCollisionInBatch),
        column(events, (event) => event.isKnownType),
        column(events, (event) => event.duplicateCount),
        column(events, (event) => event.orderUid),
        column(events, (event) => event.pharmacyOrderUid),
        column(events, (event) => event.shopOrderName),
        column(events, (event) => event.patientKey),
        column(events, (event) => event.pharmacyUid),
        column(events, (event) => event.dataStatus),
      ],
    });
    upserted = rows.map(toUpserted);
  }
  const { rows, result } = batch.deliveries(upserted);
  if (rows.length > 0) {
    await client.query({
      ...PG_INSERT_DELIVERIES,
      values: [
        column(rows, (row) => row.id),
        column(rows, (row) => pgTimestamp(row.receivedAt)),
        column(rows, (row) => row.outcome),
        column(rows, (row) => row.reasonCode),
        column(rows, (row) => row.reasonDetail),
        column(rows, (row) => row.flags),
        column(rows, (row) => row.httpStatus),
        column(rows, (row) => row.bodySha256),
        column(rows, (row) => row.bodySize),
        column(rows, (row) => row.body),
        column(rows, (row) => row.bodyKeyId),
        column(rows, (row) => row.patientKey),
        column(rows, (row) => row.headers),
        column(rows, (row) => row.sourceAddress),
        column(rows, (row) => row.eventTypeHeader),
        column(rows, (row) => row.matchedSecretId),
        column(rows, (row) => row.eventId),
      ],
    });
  }
  if (batch.ackTimes.length > 0) {
    await client.query({ ...PG_UPDATE_ACK_TIMES, values: [column(batch.ackTimes, (ack) => ack.deliveryId), column(batch.ackTimes, (ack) => ack.ackMs)] });
  }
  return result;
}

/**
 * Writes a group-commit batch in one transaction: events upserted (deduplicated
 * by their unique index), then the deliveries `batch.deliveries` derives from
 * them, then earlier deliveries' acknowledgement times. Either all of it is
 * committed or nothing is; resolves only after the commit is durable.
 */
export async function writeDeliveryBatch<Result>(batch: DeliveryBatch<Result>): Promise<Result> {
  const driver = await driverAccess();
  if (driver.provider === "sqlite") return driver.runExclusive((database) => writeSqliteBatch(database, batch));
  return writePostgresBatch(driver.pool, batch);
}
