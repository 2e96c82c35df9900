import "server-only";
import { sharedPoolStats } from "@/server/core/db";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { allowList } from "@/server/core/cidr";
import { checkMetricsAccess, type MetricsAccess, type MetricsAccessPolicy } from "@/server/metrics/access";
import { GAUGED_STATUSES, metrics } from "@/server/core/metrics";
import { readInboxSnapshot } from "@/server/repositories/metrics";

let policy: MetricsAccessPolicy | undefined;

/** Decides whether this request may read the metrics (see server/metrics/access.ts). */
export function authorizeScrape(headers: Headers): MetricsAccess {
  const config = env();
  policy ??= { token: config.RXWATCH_METRICS_TOKEN, allow: allowList(config.RXWATCH_METRICS_ALLOW) };
  return checkMetricsAccess(headers, policy);
}

/** Reads the database-wide gauges; a failure leaves their last values and sets rxwatch_database_up to 0. */
async function refreshDatabaseGauges(now: Date): Promise<void> {
  const m = metrics();
  try {
    const snapshot = await readInboxSnapshot(GAUGED_STATUSES, now);
    for (const status of GAUGED_STATUSES) m.inboxEvents.set({ status }, snapshot.byStatus.get(status) ?? 0);
    m.deadLetterEvents.set(snapshot.byStatus.get("dead") ?? 0);
    m.inboxLagSeconds.set(snapshot.oldestDueAt === null ? 0 : Math.max(0, (now.getTime() - snapshot.oldestDueAt.getTime()) / 1000));
    m.databaseUp.set(1);
  } catch (error) {
    m.databaseUp.set(0);
    log("warn", "metrics: could not read the inbox gauges", { error: error instanceof Error ? error.name : "unknown" });
  }
}

/** The Prometheus exposition of this process's metrics, with the gauges read now. */
export async function scrapeMetrics(): Promise<{ contentType: string; body: string }> {
  const m = metrics();
  await refreshDatabaseGauges(new Date());
  const pool = sharedPoolStats();
  if (pool) {
    m.poolConnections.set({ state: "total" }, pool.total);
    m.poolConnections.set({ state: "idle" }, pool.idle);
    m.poolConnections.set({ state: "waiting" }, pool.waiting);
  }
  return { contentType: m.registry.contentType, body: await m.registry.metrics() };
}
