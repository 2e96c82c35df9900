import "server-only";
import { db } from "@/server/core/db";

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

/** The first delivery received at or after `since` that names `eventType` in its header (a test delivery's trace). */
export async function findFirstDeliverySince(since: Date, eventType: string) {
  return (await db()).delivery.findFirst({
    where: { receivedAt: { gte: since }, eventTypeHeader: eventType },
    orderBy: { receivedAt: "asc" },
    select: { id: true, outcome: true, reasonCode: true, httpStatus: true },
  });
}
