import "server-only";
import { z } from "zod";
import { db } from "@/server/core/db";

/*
 * The rejected-request budget's counter: one row per source address and
 * minute (table rejected_tally). Incremented by one INSERT … ON CONFLICT …
 * RETURNING, so concurrent requests, on one instance or several sharing
 * PostgreSQL, each see the count including themselves and never race.
 */

const countValue = z.union([z.number(), z.bigint(), z.string()]).transform(Number);
const tallyRowSchema = z.object({ requests: countValue, bytes: countValue, dropped_requests: countValue });

export interface RejectedBudget {
  requestsPerMinute: number;
  bytesPerMinute: number;
}

export interface TallyAfter {
  /** This request fits the budget of its source and minute (counted with everything before it). */
  isWithinBudget: boolean;
  /** Requests of this source and minute dropped so far, this one included. */
  droppedRequests: number;
}

/**
 * Counts one rejected request of `bytes` from `sourceAddress` in the minute
 * starting at `minute`, and whether it is within `budget`; a request beyond it
 * is counted as dropped too, in the same statement.
 */
export async function countRejectedRequest(sourceAddress: string, minute: Date, bytes: number, budget: RejectedBudget): Promise<TallyAfter> {
  const isOverAlone = 1 > budget.requestsPerMinute || bytes > budget.bytesPerMinute;
  const rows: unknown = await (await db()).$queryRaw`
    INSERT INTO "rejected_tally" ("source_address", "minute", "requests", "bytes", "dropped_requests", "dropped_bytes")
    VALUES (${sourceAddress}, ${minute}, 1, ${bytes}, ${isOverAlone ? 1 : 0}, ${isOverAlone ? bytes : 0})
    ON CONFLICT ("source_address", "minute") DO UPDATE SET
      "requests" = "rejected_tally"."requests" + 1,
      "bytes" = "rejected_tally"."bytes" + ${bytes},
      "dropped_requests" = "rejected_tally"."dropped_requests"
        + CASE WHEN "rejected_tally"."requests" + 1 > ${budget.requestsPerMinute} OR "rejected_tally"."bytes" + ${bytes} > ${budget.bytesPerMinute} THEN 1 ELSE 0 END,
      "dropped_bytes" = "rejected_tally"."dropped_bytes"
        + CASE WHEN "rejected_tally"."requests" + 1 > ${budget.requestsPerMinute} OR "rejected_tally"."bytes" + ${bytes} > ${budget.bytesPerMinute} THEN ${bytes} ELSE 0 END
    RETURNING "requests", "bytes", "dropped_requests"`;
  const [row] = z.array(tallyRowSchema).length(1).parse(rows);
  if (!row) throw new Error("the rejected-request tally returned no row");
  return { isWithinBudget: row.requests <= budget.requestsPerMinute && row.bytes <= budget.bytesPerMinute, droppedRequests: row.dropped_requests };
}

/**
 * Adds `requests` requests of `bytes` bytes from `sourceAddress` in the minute starting at `minute`, all of them
 * dropped: an instance that already knew they were over budget counted them locally and adds them here together.
 */
export async function addDroppedRequests(sourceAddress: string, minute: Date, requests: number, bytes: number): Promise<void> {
  await (await db()).$executeRaw`
    INSERT INTO "rejected_tally" ("source_address", "minute", "requests", "bytes", "dropped_requests", "dropped_bytes")
    VALUES (${sourceAddress}, ${minute}, ${requests}, ${bytes}, ${requests}, ${bytes})
    ON CONFLICT ("source_address", "minute") DO UPDATE SET
      "requests" = "rejected_tally"."requests" + ${requests},
      "bytes" = "rejected_tally"."bytes" + ${bytes},
      "dropped_requests" = "rejected_tally"."dropped_requests" + ${requests},
      "dropped_bytes" = "rejected_tally"."dropped_bytes" + ${bytes}`;
}

export interface DroppedRejections {
  droppedRequests: number;
  droppedBytes: number;
  sourceCount: number;
  /** Sources with the most dropped requests, most first (at most `top`). */
  topSources: { sourceAddress: string; droppedRequests: number }[];
  /** Start of the first and of the last minute with a dropped request; null when there was none. */
  firstMinute: Date | null;
  lastMinute: Date | null;
}

/** Requests dropped over budget in minutes starting at or after `since`: totals, the top sources, the span. */
export async function droppedRejectionsSince(since: Date, top = 5): Promise<DroppedRejections> {
  const client = await db();
  const where = { minute: { gte: since }, droppedRequests: { gt: 0 } };
  const [totals, sources, distinct] = await Promise.all([
    client.rejectedTally.aggregate({ where, _sum: { droppedRequests: true, droppedBytes: true }, _min: { minute: true }, _max: { minute: true } }),
    client.rejectedTally.groupBy({ by: ["sourceAddress"], where, _sum: { droppedRequests: true }, orderBy: [{ _sum: { droppedRequests: "desc" } }, { sourceAddress: "asc" }], take: top }),
    client.$queryRaw`SELECT COUNT(DISTINCT "source_address") AS "count" FROM "rejected_tally" WHERE "minute" >= ${since} AND "dropped_requests" > 0`,
  ]);
  const [{ count } = { count: 0 }] = z.array(z.object({ count: countValue })).parse(distinct);
  return {
    droppedRequests: totals._sum.droppedRequests ?? 0,
    droppedBytes: Number(totals._sum.droppedBytes ?? 0),
    sourceCount: count,
    topSources: sources.map((source) => ({ sourceAddress: source.sourceAddress, droppedRequests: source._sum.droppedRequests ?? 0 })),
    firstMinute: totals._min.minute,
    lastMinute: totals._max.minute,
  };
}

/** Dropped requests per minute since `since` (all sources together), for the failures page's trend. */
export async function droppedRejectionsPerMinute(since: Date): Promise<{ minute: Date; droppedRequests: number }[]> {
  const rows = await (await db()).rejectedTally.groupBy({ by: ["minute"], where: { minute: { gte: since }, droppedRequests: { gt: 0 } }, _sum: { droppedRequests: true } });
  return rows.map((row) => ({ minute: row.minute, droppedRequests: row._sum.droppedRequests ?? 0 }));
}

/** Deletes tally rows of minutes before `before`; returns how many. */
export async function deleteRejectedTallyBefore(before: Date): Promise<number> {
  return (await (await db()).rejectedTally.deleteMany({ where: { minute: { lt: before } } })).count;
}
