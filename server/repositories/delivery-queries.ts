import "server-only";
import { z } from "zod";
import { Prisma } from "@/server/core/db";
import { currentProvider, db, type DatabaseProvider } from "@/server/core/db";
import { patientSearchKeys } from "@/server/crypto/search-key";
import { openDeliveryBodyForView } from "@/server/repositories/delivery-bodies";

// Reads of the deliveries list, keyset-paginated on (received_at DESC, id DESC), nothing
// counted. `planDeliveryLog` chooses whether the event index or the delivery walk drives,
// and the SQL pins that choice per provider.
// See docs/deliveries.md#speed-at-a-million-rows

/**
 * Up to this many matching events, the event index drives: all their
 * deliveries are at most a few thousand rows to sort. Beyond it the matches
 * are common enough that walking deliveries newest first fills a page soon.
 */
export const EVENT_DRIVEN_MAX_EVENTS = 5_000;

export interface DeliveryLogFilter {
  eventType?: string;
  outcome?: string;
  eventStatus?: string;
  /** Inclusive bounds on received_at. */
  receivedFrom?: Date;
  receivedTo?: Date;
  orderUid?: string;
  /** Exact match on any search key; `shopOrderNames` are the spellings tried for the shop order name. */
  search?: { value: string; shopOrderNames: readonly string[] };
}

/** A row's place in the (received_at, id) order. */
export interface DeliveryKeyset {
  receivedAt: Date;
  id: string;
}

/** Where a page starts: rows older than `after`, or newer than it (then oldest first). */
export interface DeliveryPosition {
  after: DeliveryKeyset;
  direction: "older" | "newer";
}

/** How a filter is executed; computed once per request (an export reuses it for every page). */
export type DeliveryLogPlan = "deliveries-only" | "event-driven" | "delivery-driven" | "empty";

function eventConditions(filter: DeliveryLogFilter): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (filter.eventType !== undefined) conditions.push(Prisma.sql`"e"."event_type" = ${filter.eventType}`);
  if (filter.eventStatus !== undefined) conditions.push(Prisma.sql`"e"."status" = ${filter.eventStatus}`);
  if (filter.orderUid !== undefined) conditions.push(Prisma.sql`"e"."order_uid" = ${filter.orderUid}`);
  if (filter.search) {
    const { value, shopOrderNames } = filter.search;
    // One indexed equality per key, so both databases can answer the OR as a union of index lookups.
    conditions.push(Prisma.sql`("e"."order_uid" = ${value} OR "e"."pharmacy_order_uid" = ${value} OR "e"."patient_key" IN (${Prisma.join(patientSearchKeys(value))}) OR "e"."pharmacy_uid" = ${value}
      OR "e"."shop_order_name" IN (${Prisma.join(shopOrderNames.length > 0 ? shopOrderNames : [value])}))`);
  }
  return conditions;
}

/**
 * Conditions on the delivery. With `isIndexUsable` false they are written so
 * that SQLite cannot use an index for them (unary `+`): when the event drives,
 * a delivery must be found through delivery(event_id), but without statistics
 * SQLite rates "outcome = ? AND received_at in a range" as narrower and would
 * scan that range once per matching event.
 */
function deliveryConditions(filter: DeliveryLogFilter, position: DeliveryPosition | null, isIndexUsable: boolean): Prisma.Sql[] {
  const column = (name: "outcome" | "received_at" | "id") => Prisma.raw(`${isIndexUsable ? "" : "+"}"d"."${name}"`);
  const [outcome, receivedAt, id] = [column("outcome"), column("received_at"), column("id")];
  const conditions: Prisma.Sql[] = [];
  if (filter.outcome !== undefined) conditions.push(Prisma.sql`${outcome} = ${filter.outcome}`);
  if (filter.receivedFrom) conditions.push(Prisma.sql`${receivedAt} >= ${filter.receivedFrom}`);
  if (filter.receivedTo) conditions.push(Prisma.sql`${receivedAt} <= ${filter.receivedTo}`);
  if (position) {
    const after = position.after;
    // The bound on received_at alone is what an index range can use; the OR only settles ties.
    conditions.push(
      position.direction === "older"
        ? Prisma.sql`${receivedAt} <= ${after.receivedAt} AND (${receivedAt} < ${after.receivedAt} OR ${id} < ${after.id})`
        : Prisma.sql`${receivedAt} >= ${after.receivedAt} AND (${receivedAt} > ${after.receivedAt} OR ${id} > ${after.id})`,
    );
  }
  return conditions;
}

const countSchema = z.array(z.object({ n: z.union([z.number(), z.bigint(), z.string()]).transform(Number) }));
const idsSchema = z.array(z.object({ id: z.string() }));

/** Counts events matching the event-side conditions, stopping at EVENT_DRIVEN_MAX_EVENTS; exported for the query-plan test. */
export function matchingEventsProbeSql(filter: DeliveryLogFilter): Prisma.Sql {
  const onEvent = eventConditions(filter);
  const where = onEvent.length > 0 ? Prisma.sql`WHERE ${Prisma.join(onEvent, " AND ")}` : Prisma.empty;
  return Prisma.sql`SELECT COUNT(*) AS "n" FROM (SELECT 1 AS "one" FROM "webhook_event" AS "e" ${where} LIMIT ${EVENT_DRIVEN_MAX_EVENTS}) AS "matching"`;
}

/** Chooses how `filter` is executed; costs at most one bounded index scan. */
export async function planDeliveryLog(filter: DeliveryLogFilter): Promise<DeliveryLogPlan> {
  if (eventConditions(filter).length === 0) return "deliveries-only";
  // Rejected deliveries never became events, so no event filter can match them.
  if (filter.outcome === "rejected") return "empty";
  const rows = countSchema.parse(await (await db()).$queryRaw(matchingEventsProbeSql(filter)));
  return (rows[0]?.n ?? 0) < EVENT_DRIVEN_MAX_EVENTS ? "event-driven" : "delivery-driven";
}

/** The SQL of one page of ids under `plan`; exported for the query-plan test. */
export function deliveryLogIdsSql(
  filter: DeliveryLogFilter,
  plan: Exclude<DeliveryLogPlan, "empty">,
  position: DeliveryPosition | null,
  limit: number,
  provider: DatabaseProvider,
): Prisma.Sql {
  const order = position?.direction === "newer" ? Prisma.sql`"d"."received_at" ASC, "d"."id" ASC` : Prisma.sql`"d"."received_at" DESC, "d"."id" DESC`;
  // Unary plus on text is SQLite's planner hint and an error in PostgreSQL, whose planner needs no hint.
  const onDelivery = deliveryConditions(filter, position, plan !== "event-driven" || provider !== "sqlite");
  if (plan === "deliveries-only") {
    const where = onDelivery.length > 0 ? Prisma.sql`WHERE ${Prisma.join(onDelivery, " AND ")}` : Prisma.empty;
    return Prisma.sql`SELECT "d"."id" AS "id" FROM "delivery" AS "d" ${where} ORDER BY ${order} LIMIT ${limit}`;
  }
  const onEvent = Prisma.join(eventConditions(filter), " AND ");
  if (plan === "event-driven") {
    // MATERIALIZED keeps PostgreSQL from folding the matching events back into a delivery scan (measured: 90 ms instead of 16 ms at 3 500 pending events of a million).
    const where = Prisma.join([Prisma.sql`"d"."event_id" = "m"."id"`, ...onDelivery], " AND ");
    return Prisma.sql`WITH "m" AS MATERIALIZED (SELECT "e"."id" AS "id" FROM "webhook_event" AS "e" WHERE ${onEvent})
      SELECT "d"."id" AS "id" FROM "m" CROSS JOIN "delivery" AS "d" WHERE ${where} ORDER BY ${order} LIMIT ${limit}`;
  }
  const where = Prisma.join([Prisma.sql`"d"."event_id" = "e"."id"`, onEvent, ...onDelivery], " AND ");
  return Prisma.sql`SELECT "d"."id" AS "id" FROM "delivery" AS "d" CROSS JOIN "webhook_event" AS "e" WHERE ${where} ORDER BY ${order} LIMIT ${limit}`;
}

/** Ids of up to `limit` deliveries matching `filter` from `position` on, in list order. */
export async function listDeliveryLogIds(filter: DeliveryLogFilter, plan: DeliveryLogPlan, position: DeliveryPosition | null, limit: number): Promise<string[]> {
  if (plan === "empty") return [];
  const rows = idsSchema.parse(await (await db()).$queryRaw(deliveryLogIdsSql(filter, plan, position, limit, currentProvider())));
  return rows.map((row) => row.id);
}

const listedSelect = {
  id: true,
  receivedAt: true,
  outcome: true,
  httpStatus: true,
  reasonCode: true,
  reasonDetail: true,
  flags: true,
  eventTypeHeader: true,
  bodySize: true,
  bodySha256: true,
  matchedSecretId: true,
  sourceAddress: true,
  ackMs: true,
  event: {
    select: {
      id: true,
      eventType: true,
      status: true,
      attempts: true,
      duplicateCount: true,
      orderUid: true,
      pharmacyOrderUid: true,
      shopOrderName: true,
      pharmacyUid: true,
    },
  },
} as const;

export type DeliveryLogRow = Prisma.DeliveryGetPayload<{ select: typeof listedSelect }>;

/** The listed fields of the deliveries `ids`, in the order of `ids`. */
export async function findDeliveryLogRows(ids: readonly string[]): Promise<DeliveryLogRow[]> {
  if (ids.length === 0) return [];
  const rows = await (await db()).delivery.findMany({ where: { id: { in: [...ids] } }, select: listedSelect });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [row] : [];
  });
}

/** One delivery with its body, headers and the whole event it became; null when unknown. */
export async function findDeliveryRecord(id: string) {
  const record = await (await db()).delivery.findUnique({
    where: { id },
    select: {
      ...listedSelect,
      headers: true,
      body: true,
      bodyKeyId: true,
      event: {
        select: {
          id: true,
          eventType: true,
          eventTimestamp: true,
          payloadVersion: true,
          dataUid: true,
          isKeyCollision: true,
          isKnownType: true,
          firstReceivedAt: true,
          lastReceivedAt: true,
          duplicateCount: true,
          status: true,
          attempts: true,
          nextAttemptAt: true,
          processedAt: true,
          lastError: true,
          orderUid: true,
          pharmacyOrderUid: true,
          shopOrderName: true,
          pharmacyUid: true,
        },
      },
    },
  });
  if (!record) return null;
  const { bodyKeyId, ...rest } = record;
  return { ...rest, body: openDeliveryBodyForView({ id: record.id, body: record.body, bodyKeyId }) };
}

/** The newest `take` deliveries of an event (served by the delivery(event_id) index). */
export async function listDeliveriesOfEvent(eventId: string, take: number) {
  return (await db()).delivery.findMany({
    where: { eventId },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, receivedAt: true, outcome: true, httpStatus: true, reasonCode: true },
  });
}

/** An event's newest `take` processing runs, oldest first. */
export async function listAttemptsOfEvent(eventId: string, take: number) {
  const newestFirst = await (await db()).processingAttempt.findMany({
    where: { eventId },
    orderBy: [{ startedAt: "desc" }, { attempt: "desc" }],
    take,
    select: { attempt: true, worker: true, startedAt: true, finishedAt: true, outcome: true, error: true },
  });
  return newestFirst.reverse();
}

/** Whether any delivery passed its signature check and was accepted: the first-run checklist's "test event" step. */
export async function hasAcceptedDelivery(): Promise<boolean> {
  return (await (await db()).delivery.findFirst({ where: { outcome: "accepted" }, select: { id: true } })) !== null;
}
