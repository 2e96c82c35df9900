import "server-only";
import { db } from "@/server/core/db";
import { STORED_BODY_SELECT } from "@/server/repositories/delivery-bodies";

/** Per event type: newest event and events in the window, from accepted deliveries' events. */
export async function eventStatsByType(since: Date): Promise<Map<string, { lastAt: Date | null; recentCount: number }>> {
  const client = await db();
  const [latest, recent] = await Promise.all([
    client.webhookEvent.groupBy({ by: ["eventType"], _max: { firstReceivedAt: true } }),
    client.webhookEvent.groupBy({ by: ["eventType"], where: { firstReceivedAt: { gte: since } }, _count: { _all: true } }),
  ]);
  const stats = new Map<string, { lastAt: Date | null; recentCount: number }>();
  for (const row of latest) stats.set(row.eventType, { lastAt: row._max.firstReceivedAt, recentCount: 0 });
  for (const row of recent) {
    const entry = stats.get(row.eventType) ?? { lastAt: null, recentCount: 0 };
    entry.recentCount = row._count._all;
    stats.set(row.eventType, entry);
  }
  return stats;
}

/** Position in the (received_at, id) order of deliveries. */
export interface DeliveryPosition {
  receivedAt: Date;
  id: string;
}

/**
 * Deliveries received at or after `since` and after `after`, oldest first, with their sealed bodies: the candidates
 * a test delivery is looked for among. Bounded by `take`; the caller continues after the last one.
 */
export async function listDeliveriesSince(since: Date, after: DeliveryPosition | null, take: number) {
  return (await db()).delivery.findMany({
    where: after ? { receivedAt: { gte: after.receivedAt }, OR: [{ receivedAt: { gt: after.receivedAt } }, { id: { gt: after.id } }] } : { receivedAt: { gte: since } },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    take,
    select: { ...STORED_BODY_SELECT, receivedAt: true, outcome: true, reasonCode: true, httpStatus: true },
  });
}

/**
 * Accepted deliveries that verified with one signing secret and arrived in
 * [from, to), oldest first, with their sealed bodies: where the automatic
 * test delivery of a newly created subscription is looked for.
 */
export async function listDeliveriesVerifiedWith(secretId: string, from: Date, to: Date, take: number) {
  return (await db()).delivery.findMany({
    where: { receivedAt: { gte: from, lt: to }, matchedSecretId: secretId, outcome: { in: ["accepted", "duplicate"] } },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    take,
    select: { ...STORED_BODY_SELECT, receivedAt: true },
  });
}
