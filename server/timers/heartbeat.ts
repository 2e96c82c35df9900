import "server-only";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { processSlot } from "@/server/core/process-slot";
import { onShutdown } from "@/server/core/shutdown";
import { checkReadiness } from "@/server/health/readiness";
import { readInboxSnapshot } from "@/server/repositories/metrics";

/*
 * The outbound heartbeat (docs/operations.md#heartbeat): every minute each
 * instance calls RXWATCH_HEARTBEAT_URL while it can take webhooks and the
 * inbox keeps up, so an outside monitor notices when RxWatch is down or
 * stalled even though nobody is looking. Every instance calls, not only a
 * leader: the monitor hears while any instance is healthy, and a leader lock
 * would make the heartbeat depend on the very database it reports on.
 */

export const HEARTBEAT_INTERVAL_MS = 60_000;
/** One call gives up after this long, well inside the interval. */
export const HEARTBEAT_TIMEOUT_MS = 5_000;
/** The inbox counts as stalled when a due event has waited longer than this. */
export const WORKER_STALLED_AFTER_MS = 5 * 60_000;

export type HeartbeatOutcome =
  | { sent: true; status: number }
  | { sent: false; reason: "ingest_unavailable" | "worker_stalled" }
  | { sent: false; reason: "failed"; status: number | null; error: string | null };

const timerSlot = processSlot<NodeJS.Timeout>("rxwatchHeartbeatTimer");

/** Why this instance should not report itself alive, or null when it may. */
async function unhealthyReason(now: Date): Promise<"ingest_unavailable" | "worker_stalled" | null> {
  if ((await checkReadiness()).status !== "ok") return "ingest_unavailable";
  const { oldestDueAt } = await readInboxSnapshot([], now);
  if (oldestDueAt && now.getTime() - oldestDueAt.getTime() > WORKER_STALLED_AFTER_MS) return "worker_stalled";
  return null;
}

/**
 * Checks health and, when healthy, calls `url` once (GET, bounded by
 * {@link HEARTBEAT_TIMEOUT_MS}). Never throws. Log lines name the outcome and
 * the HTTP status or error kind, never the URL: monitors put their token in it.
 */
export async function sendHeartbeat(url: string, now: Date = new Date(), timeoutMs = HEARTBEAT_TIMEOUT_MS): Promise<HeartbeatOutcome> {
  let reason: "ingest_unavailable" | "worker_stalled" | null;
  try {
    reason = await unhealthyReason(now);
  } catch {
    reason = "ingest_unavailable";
  }
  if (reason) {
    log("warn", "heartbeat withheld: RxWatch is not healthy", { reason });
    return { sent: false, reason };
  }
  try {
    const response = await fetch(url, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(timeoutMs), headers: { "user-agent": "RxWatch-Heartbeat" } });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { sent: true, status: response.status };
    log("warn", "heartbeat call failed", { status: response.status });
    return { sent: false, reason: "failed", status: response.status, error: null };
  } catch (error) {
    const kind = error instanceof Error ? (error.name === "TimeoutError" ? "timeout" : error.name) : "error";
    log("warn", "heartbeat call failed", { error: kind });
    return { sent: false, reason: "failed", status: null, error: kind };
  }
}

/** Starts this process's heartbeat when RXWATCH_HEARTBEAT_URL is set, once; never keeps the process alive. */
export function startHeartbeatTimer(): void {
  const url = env().RXWATCH_HEARTBEAT_URL;
  if (!url || timerSlot.value) return;
  let isRunning = false;
  const tick = async () => {
    // A call still hanging (up to the timeout) is not joined by another.
    if (isRunning) return;
    isRunning = true;
    try {
      await sendHeartbeat(url);
    } finally {
      isRunning = false;
    }
  };
  timerSlot.value = setInterval(() => void tick(), HEARTBEAT_INTERVAL_MS);
  timerSlot.value.unref();
  void tick();
  onShutdown("intake", "heartbeat timer", () => clearInterval(timerSlot.value));
  log("info", "heartbeat timer started", { intervalSeconds: HEARTBEAT_INTERVAL_MS / 1000 });
}
