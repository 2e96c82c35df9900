import "server-only";
import { processSlot } from "@/server/core/process-slot";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { onShutdown } from "@/server/core/shutdown";
import { summarizeError } from "@/server/processing/errors";
import { isRetentionPurgeRunning, runRetentionPurge } from "@/server/retention/purge";

/*
 * Runs the retention purge every RXWATCH_RETENTION_INTERVAL_MINUTES. A tick
 * is one call of `runRetentionPurge(now)`, so a wrapper that lets only one
 * instance at a time run it (an advisory lock on PostgreSQL) can take the
 * tick as it is; without one, a second instance purging at the same moment
 * is harmless (every statement is guarded) and only costs work.
 */

/** The first run waits this long, so start-up and the first burst of deliveries are not crowded. */
const FIRST_RUN_MS = 3 * 60 * 1000;

const retentionTimerSlot = processSlot<NodeJS.Timeout>("rxwatchRetentionTimer");

/** One scheduled run: skipped while a purge (scheduled or manual) is still running in this process. */
export async function retentionTick(now: Date = new Date()): Promise<void> {
  if (isRetentionPurgeRunning()) return;
  try {
    await runRetentionPurge(now);
  } catch (error) {
    // Already recorded on the purge run and in the audit log; the next tick tries again.
    log("error", "retention tick failed", { error: summarizeError(error) });
  }
}

/** Starts this process's retention timer, once. The timer never keeps the process alive. */
export function startRetentionTimer(tick: () => Promise<void> = () => retentionTick()): void {
  if (retentionTimerSlot.value) return;
  const intervalMs = env().RXWATCH_RETENTION_INTERVAL_MINUTES * 60 * 1000;
  retentionTimerSlot.value = setInterval(() => void tick(), intervalMs);
  retentionTimerSlot.value.unref();
  const firstRun = setTimeout(() => void tick(), FIRST_RUN_MS);
  firstRun.unref();
  onShutdown("intake", "retention timer", () => {
    clearInterval(retentionTimerSlot.value);
    clearTimeout(firstRun);
  });
  log("info", "retention timer started", { intervalMs, firstRunMs: FIRST_RUN_MS });
}
