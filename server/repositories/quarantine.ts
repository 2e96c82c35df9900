import "server-only";
import { z } from "zod";
import { db } from "@/server/core/db";
import { upsertEventsSql, upsertedEventSchema, type EventWrite } from "@/server/repositories/deliveries";
import { openDeliveryBody, STORED_BODY_SELECT } from "@/server/repositories/delivery-bodies";

/*
 * Quarantined deliveries: correctly signed, stored, but unreadable when they
 * arrived (server/ingest/quarantine.ts). Releasing one writes its event
 * through ingest's own deduplicating upsert and links the delivery to it, in
 * one transaction, so a release and a concurrent retry never make two events.
 */

export interface QuarantinedDelivery {
  id: string;
  receivedAt: Date;
  reasonCode: string | null;
  reasonDetail: string | null;
  headers: string;
  eventTypeHeader: string | null;
  /** The opened body; null when it was purged or cannot be opened. */
  body: Uint8Array | null;
  bodySha256: string;
}

/** The oldest quarantined deliveries, at most `take`, with their bodies opened. */
export async function listQuarantinedDeliveries(take: number): Promise<QuarantinedDelivery[]> {
  const rows = await (await db()).delivery.findMany({
    where: { outcome: "quarantined" },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    take,
    select: { ...STORED_BODY_SELECT, receivedAt: true, reasonCode: true, reasonDetail: true, headers: true, eventTypeHeader: true, bodySha256: true },
  });
  return rows.map((row) => {
    let body: Uint8Array | null = null;
    try {
      body = openDeliveryBody(row);
    } catch {
      body = null;
    }
    return { id: row.id, receivedAt: row.receivedAt, reasonCode: row.reasonCode, reasonDetail: row.reasonDetail, headers: row.headers, eventTypeHeader: row.eventTypeHeader, body, bodySha256: row.bodySha256 };
  });
}

/** How many deliveries are quarantined now. */
export async function countQuarantinedDeliveries(): Promise<number> {
  return (await db()).delivery.count({ where: { outcome: "quarantined" } });
}

/**
 * Turns a quarantined delivery into its event (new, or the existing one with
 * the same body) and marks the delivery `released`, keeping the reason it was
 * quarantined for. Returns null when the delivery is no longer quarantined
 * (released concurrently), else the event id and whether it is new.
 */
export async function releaseQuarantinedDelivery(deliveryId: string, event: EventWrite, flags: readonly string[]): Promise<{ eventId: string; isNewEvent: boolean } | null> {
  const client = await db();
  const now = new Date();
  return client.$transaction(async (tx) => {
    const claimed = await tx.delivery.updateMany({ where: { id: deliveryId, outcome: "quarantined" }, data: { outcome: "released" } });
    if (claimed.count === 0) return null;
    const [row] = z.array(upsertedEventSchema).parse(await tx.$queryRaw(upsertEventsSql([{ event, deliveryIds: [deliveryId], isCollisionInBatch: false }], now)));
    if (!row) throw new Error("event upsert returned no row for a released delivery");
    const allFlags = row.is_key_collision ? ["key_collision", ...flags] : [...flags];
    await tx.delivery.update({ where: { id: deliveryId }, data: { eventId: row.id, flags: allFlags.join(",") } });
    return { eventId: row.id, isNewEvent: row.id === event.id };
  });
}
