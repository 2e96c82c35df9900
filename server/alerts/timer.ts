import "server-only";
import { processSlot } from "@/server/core/process-slot";
import { log } from "@/server/core/logger";
import { onShutdown } from "@/server/core/shutdown";
import { summarizeError } from "@/server/processing/errors";
import { evaluateAlerts } from "@/server/alerts/rules";
import { getFailures } from "@/server/failures/scan";
import { resumeStaleReplayJobs } from "@/server/replay/jobs";
import { deleteAlertNotificationsBefore } from "@/server/repositories/alerts";
import { deleteBacklogSamplesBefore, eventStatusCounts, upsertBacklogSample } from "@/server/repositories/failures";
import { EXCLUSIVE_JOBS, runExclusive } from "@/server/timers/leader-lock";

// The alert timer: every 30 s, independent of the inbox worker (so a crashed or
// hung handler still gets reported), samples the backlog, scans failure groups,
// evaluates alert rules and resumes orphaned replay jobs; one instance ticks at a time.
// See docs/failures-and-alerts.md#alerts

export const ALERT_INTERVAL_MS = 30_000;
/** The first tick waits this long, so start-up (migrations, demo mode) is not crowded. */
const FIRST_TICK_MS = 5_000;
const BACKLOG_SAMPLE_RETENTION_MS = 8 * 24 * 60 * 60 * 1000;
const NOTIFICATION_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

const alertTimerSlot = processSlot<{ interval: NodeJS.Timeout; isTicking: boolean; lastPruneAt: number }>("rxwatchAlertTimer");

async function step(name: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    log("error", "alert timer step failed", { step: name, error: summarizeError(error) });
  }
}

/** One round of the timer at `now`. */
export async function runAlertTick(now: Date = new Date(), state: { lastPruneAt: number } = { lastPruneAt: 0 }): Promise<void> {
  await step("backlog sample", async () => {
    const counts = await eventStatusCounts();
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    await upsertBacklogSample({ minute, pending: counts.get("pending") ?? 0, processing: counts.get("processing") ?? 0, failed: counts.get("failed") ?? 0, dead: counts.get("dead") ?? 0 });
  });
  await step("failure scan", () => getFailures({ isFresh: true }));
  await step("alert rules", () => evaluateAlerts(now));
  await step("replay jobs", () => resumeStaleReplayJobs(now));
  if (now.getTime() - state.lastPruneAt > 60 * 60 * 1000) {
    state.lastPruneAt = now.getTime();
    await step("prune", async () => {
      await deleteBacklogSamplesBefore(new Date(now.getTime() - BACKLOG_SAMPLE_RETENTION_MS));
      await deleteAlertNotificationsBefore(new Date(now.getTime() - NOTIFICATION_RETENTION_MS));
    });
  }
}

/** Starts this process's alert timer, once. The timer never keeps the process alive. */
export function startAlertTimer(): void {
  if (alertTimerSlot.value) return;
  const state = { interval: setInterval(() => void tick(), ALERT_INTERVAL_MS), isTicking: false, lastPruneAt: 0 };
  state.interval.unref();
  alertTimerSlot.value = state;
  async function tick(): Promise<void> {
    // A slow round (a large scan on a busy database) is never overlapped by the next.
    if (state.isTicking) return;
    state.isTicking = true;
    try {
      await runExclusive(EXCLUSIVE_JOBS.alertTimer, () => runAlertTick(new Date(), state));
    } finally {
      state.isTicking = false;
    }
  }
  const firstTick = setTimeout(() => void tick(), FIRST_TICK_MS);
  firstTick.unref();
  onShutdown("intake", "alert timer", async () => {
    clearInterval(state.interval);
    clearTimeout(firstTick);
    // A round already running finishes before the database is closed under it.
    while (state.isTicking) await new Promise((resolve) => setTimeout(resolve, 50));
  });
  log("info", "alert timer started", { intervalMs: ALERT_INTERVAL_MS });
}
