import "server-only";
import type BetterSqlite3 from "better-sqlite3";
import { z } from "zod";
import { sqliteDateTime, statementsPerConnection } from "@/server/repositories/sqlite-driver";
import type { OrderFactRow, OrderWrite } from "@/server/repositories/orders";

/*
 * The statements the worker runs for every batch of order events — storing
 * the facts, reading each order's facts back, writing the projected orders and
 * counting facts — on SQLite's driver rather than through Prisma, as the
 * inbox's claim does (inbox-driver.ts): in the processing thread Prisma's
 * per-call cost was most of what was left of its Prisma time. One prepared
 * statement per row or order, written in one synchronous transaction.
 * Stored forms match what Prisma writes (DateTime as sqlite-driver.ts's
 * sqliteDateTime, Boolean as 0/1); server/repositories/orders.ts keeps the
 * Prisma statements PostgreSQL uses.
 */

/** Column and field of every order fact written, in order. */
const FACT_COLUMNS = [
  ["event_id", "eventId"],
  ["order_uid", "orderUid"],
  ["kind", "kind"],
  ["event_type", "eventType"],
  ["entity_uid", "entityUid"],
  ["status", "status"],
  ["data_updated_at", "dataUpdatedAt"],
  ["timestamp", "timestamp"],
  ["received_at", "receivedAt"],
  ["pharmacy_uid", "pharmacyUid"],
  ["pharmacy_name", "pharmacyName"],
  ["delivery_type", "deliveryType"],
  ["shop_order_name", "shopOrderName"],
  ["patient_key", "patientKey"],
] as const satisfies readonly (readonly [string, keyof OrderFactRow])[];

/** Column and field of every order row written, in order (updated_at is the write's time). */
const ORDER_COLUMNS = [
  ["order_uid", "orderUid"],
  ["stage", "stage"],
  ["status", "status"],
  ["reached_stage", "reachedStage"],
  ["stage_since", "stageSince"],
  ["first_event_at", "firstEventAt"],
  ["last_event_at", "lastEventAt"],
  ["pharmacy_uid", "pharmacyUid"],
  ["pharmacy_name", "pharmacyName"],
  ["delivery_type", "deliveryType"],
  ["shop_order_name", "shopOrderName"],
  ["patient_key", "patientKey"],
  ["gaps", "gaps"],
  ["entities", "entities"],
  ["event_count", "eventCount"],
  ["stuck_at", "stuckAt"],
  ["furthest_stage", "furthestStage"],
  ["ordered_seconds", "orderedSeconds"],
  ["prescription_approved_seconds", "prescriptionApprovedSeconds"],
  ["prescription_signed_seconds", "prescriptionSignedSeconds"],
  ["sent_to_pharmacy_seconds", "sentToPharmacySeconds"],
  ["in_pharmacy_seconds", "inPharmacySeconds"],
  ["shipped_seconds", "shippedSeconds"],
  ["to_ship_seconds", "toShipSeconds"],
  ["went_out_of_stock", "wentOutOfStock"],
  ["first_stuck_at", "firstStuckAt"],
] as const satisfies readonly (readonly [string, keyof OrderWrite])[];

/** INSERT … ON CONFLICT DO UPDATE of every column but the key, values as named parameters. */
function upsertSql(table: string, key: string, columns: readonly (readonly [string, string])[]): string {
  const names = columns.map(([column]) => `"${column}"`).join(", ");
  const values = columns.map(([, field]) => `@${field}`).join(", ");
  const updates = columns
    .filter(([column]) => column !== key)
    .map(([column]) => `"${column}" = "excluded"."${column}"`)
    .join(", ");
  return `INSERT INTO "${table}" (${names}) VALUES (${values}) ON CONFLICT ("${key}") DO UPDATE SET ${updates}`;
}

interface OrderStatements {
  upsertFact: BetterSqlite3.Statement;
  readFactsOfOrder: BetterSqlite3.Statement;
  countFactsOfOrder: BetterSqlite3.Statement;
  upsertOrder: BetterSqlite3.Statement;
}

const statementsOf = statementsPerConnection((database): OrderStatements => {
  return {
    upsertFact: database.prepare(upsertSql("order_fact", "event_id", FACT_COLUMNS)),
    readFactsOfOrder: database.prepare(`SELECT ${FACT_COLUMNS.map(([column]) => `"${column}"`).join(", ")} FROM "order_fact" WHERE "order_uid" = @orderUid`),
    countFactsOfOrder: database.prepare(`SELECT COUNT(*) AS "count" FROM "order_fact" WHERE "order_uid" = @orderUid`),
    upsertOrder: database.prepare(upsertSql("order", "order_uid", [...ORDER_COLUMNS, ["updated_at", "updatedAt"]])),
  };
});

/** A value as the SQLite column holds it: DateTime as Prisma's text form, Boolean as 0/1, absent as NULL. */
function stored(value: unknown): unknown {
  if (value instanceof Date) return sqliteDateTime(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  return value ?? null;
}

function parametersOf(row: object, columns: readonly (readonly [string, string])[]): Record<string, unknown> {
  return Object.fromEntries(columns.map(([, field]) => [field, stored(Reflect.get(row, field))]));
}

// The adapter's connection reads integers as BigInt (safeIntegers).
const integer = z.union([z.number(), z.bigint()]);
const storedDate = z.string().transform((text, context) => {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) context.addIssue({ code: "custom", message: "not a stored date" });
  return date;
});
const factRowSchema = z
  .object({
    event_id: z.string(),
    order_uid: z.string(),
    kind: z.string(),
    event_type: z.string(),
    entity_uid: z.string(),
    status: z.string(),
    data_updated_at: integer.transform(BigInt).nullable(),
    timestamp: integer.transform(BigInt),
    received_at: storedDate,
    pharmacy_uid: z.string().nullable(),
    pharmacy_name: z.string().nullable(),
    delivery_type: z.string().nullable(),
    shop_order_name: z.string().nullable(),
    patient_key: z.string().nullable(),
  })
  .transform(
    (row): OrderFactRow => ({
      eventId: row.event_id,
      orderUid: row.order_uid,
      kind: row.kind,
      eventType: row.event_type,
      entityUid: row.entity_uid,
      status: row.status,
      dataUpdatedAt: row.data_updated_at,
      timestamp: row.timestamp,
      receivedAt: row.received_at,
      pharmacyUid: row.pharmacy_uid,
      pharmacyName: row.pharmacy_name,
      deliveryType: row.delivery_type,
      shopOrderName: row.shop_order_name,
      patientKey: row.patient_key,
    }),
  );
const countSchema = z.object({ count: integer.transform(Number) });

/** Stores the facts in one transaction; a re-processed event's fact is overwritten. */
export function upsertOrderFactsOnSqlite(database: BetterSqlite3.Database, facts: readonly OrderFactRow[]): void {
  const { upsertFact } = statementsOf(database);
  database.transaction(() => {
    for (const fact of facts) upsertFact.run(parametersOf(fact, FACT_COLUMNS));
  }).immediate();
}

/** All facts of the given orders. */
export function listFactsOfOrdersOnSqlite(database: BetterSqlite3.Database, orderUids: readonly string[]): OrderFactRow[] {
  const { readFactsOfOrder } = statementsOf(database);
  return [...new Set(orderUids)].flatMap((orderUid) => z.array(factRowSchema).parse(readFactsOfOrder.all({ orderUid })));
}

/** Facts per order, for the given orders (orders without facts are absent). */
export function countFactsOfOrdersOnSqlite(database: BetterSqlite3.Database, orderUids: readonly string[]): Map<string, number> {
  const { countFactsOfOrder } = statementsOf(database);
  const counts = new Map<string, number>();
  for (const orderUid of new Set(orderUids)) {
    const { count } = countSchema.parse(countFactsOfOrder.get({ orderUid }));
    if (count > 0) counts.set(orderUid, count);
  }
  return counts;
}

/** Writes the projected orders in one transaction. */
export function upsertOrderRowsOnSqlite(database: BetterSqlite3.Database, orders: readonly OrderWrite[], now: Date): void {
  const { upsertOrder } = statementsOf(database);
  const updatedAt = sqliteDateTime(now);
  database.transaction(() => {
    for (const order of orders) upsertOrder.run({ ...parametersOf({ ...order, gaps: order.gaps ?? "", wentOutOfStock: order.wentOutOfStock ?? false }, ORDER_COLUMNS), updatedAt });
  }).immediate();
}
