import "server-only";
import { db } from "@/server/core/db";

/*
 * What the drift detector has learned (server/drift/): one row per event type
 * and payload version, one per field path or status string of it. Writes are
 * increments or upserts, so instances learning the same shape at once add up
 * instead of overwriting each other.
 */

export type PayloadShapeRow = NonNullable<Awaited<ReturnType<typeof findPayloadShape>>>;
export type PayloadShapeEntryRow = Awaited<ReturnType<typeof listPayloadShapeEntries>>[number];
export type ShapeEntryKind = "field" | "status";

export interface ShapeKey {
  eventType: string;
  payloadVersion: string;
}

export async function findPayloadShape(key: ShapeKey) {
  return (await db()).payloadShape.findUnique({ where: { eventType_payloadVersion: key } });
}

export async function listPayloadShapeEntries(key: ShapeKey) {
  return (await db()).payloadShapeEntry.findMany({ where: key });
}

/** Every shape and entry, for the event catalogue (bounded by the detector's caps per shape). */
export async function listAllPayloadShapes() {
  const client = await db();
  const [shapes, entries] = await Promise.all([client.payloadShape.findMany({ orderBy: [{ eventType: "asc" }, { payloadVersion: "asc" }] }), client.payloadShapeEntry.findMany()]);
  return { shapes, entries };
}

/** Counts events of a shape; creates the shape on its first event. */
export async function addShapeDeliveries(key: ShapeKey, count: number, firstSeenAt: Date, lastSeenAt: Date): Promise<void> {
  await withCreateRace(() =>
    db().then((client) =>
      client.payloadShape.upsert({
        where: { eventType_payloadVersion: key },
        create: { ...key, deliveries: count, firstSeenAt, lastSeenAt },
        update: { deliveries: { increment: count }, lastSeenAt },
      }),
    ),
  );
}

export interface EntryWrite {
  kind: ShapeEntryKind;
  name: string;
  /** The full set of types known now (replaces the stored list). */
  types: readonly string[];
  count: number;
  /** null: leave the stored run of misses as it is. */
  missedInARow: number | null;
  firstSeenAt: Date;
  lastSeenAt: Date | null;
}

/** Records an entry: created with its first sighting, or its counts and types brought forward. */
export async function writeShapeEntry(key: ShapeKey, entry: EntryWrite): Promise<void> {
  const where = { eventType_payloadVersion_kind_name: { ...key, kind: entry.kind, name: entry.name } };
  const types = JSON.stringify(entry.types);
  await withCreateRace(() =>
    db().then((client) =>
      client.payloadShapeEntry.upsert({
        where,
        create: { ...key, kind: entry.kind, name: entry.name, types, count: entry.count, missedInARow: entry.missedInARow ?? 0, firstSeenAt: entry.firstSeenAt, lastSeenAt: entry.lastSeenAt ?? entry.firstSeenAt },
        update: {
          types,
          count: { increment: entry.count },
          ...(entry.missedInARow === null ? {} : { missedInARow: entry.missedInARow }),
          ...(entry.lastSeenAt ? { lastSeenAt: entry.lastSeenAt } : {}),
        },
      }),
    ),
  );
}

/** Forgets a field (a vanished field marked expected): it is no longer part of the shape. */
export async function deleteShapeEntry(key: ShapeKey, kind: ShapeEntryKind, name: string): Promise<void> {
  await (await db()).payloadShapeEntry.deleteMany({ where: { ...key, kind, name } });
}

/** Events per type received since each instant (the catalogue's volume). */
export async function countEventsByTypeSince(since: Date): Promise<Map<string, number>> {
  const rows = await (await db()).webhookEvent.groupBy({ by: ["eventType"], where: { firstReceivedAt: { gte: since } }, _count: { _all: true } });
  return new Map(rows.map((row) => [row.eventType, row._count._all]));
}

/** Runs an upsert again once when a concurrent instance created the row between its read and its insert. */
async function withCreateRace<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (typeof error === "object" && error !== null && "code" in error && error.code === "P2002") return write();
    throw error;
  }
}
