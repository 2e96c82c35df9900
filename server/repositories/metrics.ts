import "server-only";
import { db } from "@/server/core/db";

export interface InboxSnapshot {
  /** Events per status, for the statuses asked for (missing ones count 0). */
  byStatus: Map<string, number>;
  /** Due time of the longest-waiting due event (pending, or failed with its retry due); null when none is waiting. */
  oldestDueAt: Date | null;
}

/**
 * What the metrics endpoint reports about the inbox, read with index-backed
 * queries (status, next_attempt_at) so a scrape stays cheap however many
 * processed events the table holds.
 */
export async function readInboxSnapshot(statuses: readonly string[], now: Date): Promise<InboxSnapshot> {
  const client = await db();
  const [groups, pending, failed] = await Promise.all([
    client.webhookEvent.groupBy({ by: ["status"], where: { status: { in: [...statuses] } }, _count: { _all: true } }),
    client.webhookEvent.aggregate({ where: { status: "pending" }, _min: { nextAttemptAt: true } }),
    client.webhookEvent.aggregate({ where: { status: "failed", nextAttemptAt: { lte: now } }, _min: { nextAttemptAt: true } }),
  ]);
  const byStatus = new Map(groups.map((group) => [group.status, group._count._all]));
  const due = [pending._min.nextAttemptAt, failed._min.nextAttemptAt].filter((value): value is Date => value !== null);
  const oldestDueAt = due.length === 0 ? null : new Date(Math.min(...due.map((date) => date.getTime())));
  return { byStatus, oldestDueAt };
}
