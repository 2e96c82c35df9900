import "server-only";
import { env } from "@/server/core/env";
import { stampPeerAddresses } from "@/server/core/peer-address";
import { migrateDatabase } from "@/server/core/migrations";
import { ensureFirstAdmin } from "@/server/auth/users";
import { log } from "@/server/core/logger";
import { currentProvider } from "@/server/core/db";
import { startProcessing } from "@/server/processing/start";
import { startDemoModeIfEnabled } from "@/server/demo/demo-mode";
import { startAlertTimer } from "@/server/alerts/timer";
import { startRetentionTimer } from "@/server/retention/timer";
import { installShutdownHandlers, onShutdown } from "@/server/core/shutdown";
import { stopChangePump } from "@/server/live/notices";
import { EXCLUSIVE_JOBS, releaseExclusiveLocks, runExclusive } from "@/server/timers/leader-lock";
import { retentionTick } from "@/server/retention/timer";
import { reconcileTick, startReconcileTimer } from "@/server/reconciliation/timer";
import { startHeartbeatTimer } from "@/server/timers/heartbeat";
import { startSubscriptionHealthTimer, subscriptionHealthTick } from "@/server/subscriptions/health";

/**
 * Runs once per server process before it takes requests: applies pending
 * migrations (under a lock, so several instances may start together) and
 * creates the first admin from the environment, then starts the processing
 * thread (webhook storage and, unless RXWATCH_WORKER=0, the inbox worker) and,
 * when it is on, demo mode (server/demo; it never
 * fails the start). SIGTERM/SIGINT drain the instance (server/core/shutdown.ts). A failure stops the process with the reason rather than
 * serving a half-ready instance.
 */
export async function startServer(): Promise<void> {
  const config = env();
  // First: every request must carry its socket peer (server/core/client-address.ts trusts nothing else).
  stampPeerAddresses();
  installShutdownHandlers();
  onShutdown("cleanup", "live change listener", stopChangePump);
  onShutdown("cleanup", "exclusive locks", releaseExclusiveLocks);
  try {
    const { applied, latest } = await migrateDatabase(config.DATABASE_URL);
    log("info", "database ready", { provider: currentProvider(), applied, latest });
    const admin = await ensureFirstAdmin();
    if (admin === "created") log("info", "first admin created from RXWATCH_ADMIN_EMAIL");
    startProcessing();
    // On every instance, worker or not: alerts must still go out when processing is what broke.
    startAlertTimer();
    // On every instance, but each tick runs on one at a time (advisory lock); the statements are guarded anyway.
    startRetentionTimer(async () => void (await runExclusive(EXCLUSIVE_JOBS.retentionTimer, () => retentionTick())));
    // Each tick on the leader only; runs are serialized across instances as well.
    startReconcileTimer(async () => void (await runExclusive(EXCLUSIVE_JOBS.reconciliationTimer, () => reconcileTick())));
    // Each tick on the leader only: one instance at a time spends the shared RxScale request budget on it.
    startSubscriptionHealthTimer(async () => void (await runExclusive(EXCLUSIVE_JOBS.subscriptionHealthTimer, () => subscriptionHealthTick())));
    // On every instance: each reports only its own health (docs/operations.md#heartbeat).
    startHeartbeatTimer();
    const demo = await startDemoModeIfEnabled();
    if (admin === "not-configured" && !demo.isDemoAdminCreated) {
      log("warn", "no users yet: set RXWATCH_ADMIN_EMAIL and RXWATCH_ADMIN_PASSWORD, or run `npm run rxwatch -- user add --email you@example.com --role admin`");
    }
  } catch (error) {
    console.error(`RxWatch cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
