import "server-only";
import { env } from "@/server/core/env";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { processSlot } from "@/server/core/process-slot";
import { onShutdown } from "@/server/core/shutdown";
import { reconcile } from "@/server/reconciliation/reconcile";
import { connectedRxScaleClient } from "@/server/reconciliation/rxscale-connection";

/*
 * Runs a reconciliation every RXWATCH_RECONCILE_INTERVAL_MINUTES. Started on
 * every instance; the caller wraps each tick in the leader lock, and runs are
 * serialized across instances anyway (docs/reconciliation.md).
 */

/** The first run waits this long, so start-up is not crowded. */
const FIRST_RUN_MS = 2 * 60 * 1000;

const timerSlot = processSlot<NodeJS.Timeout>("rxwatchReconcileTimer");

/** One scheduled run; without an API key it does nothing (demo mode and new installs). */
export async function reconcileTick(): Promise<void> {
  try {
    const client = await connectedRxScaleClient();
    const result = await reconcile({ trigger: "timer", actor: { via: "system", name: "reconciliation timer" }, actorId: null, fill: env().RXWATCH_RECONCILE_AUTOFILL, client });
    log("info", "reconciliation finished", { runId: result.runId, state: result.state, checked: result.checked, missing: result.missing, behind: result.behind, unknownToRxScale: result.unknownToRxScale, filled: result.filled });
  } catch (error) {
    if (error instanceof AppError && error.code === "conflict") return;
    log("error", "reconciliation tick failed", { error: error instanceof Error ? error.name : "error" });
  }
}

/** Starts this process's reconciliation timer, once; never keeps the process alive. */
export function startReconcileTimer(tick: () => Promise<void> = () => reconcileTick()): void {
  const minutes = env().RXWATCH_RECONCILE_INTERVAL_MINUTES;
  if (timerSlot.value || minutes === 0) return;
  timerSlot.value = setInterval(() => void tick(), minutes * 60 * 1000);
  timerSlot.value.unref();
  const firstRun = setTimeout(() => void tick(), FIRST_RUN_MS);
  firstRun.unref();
  onShutdown("intake", "reconciliation timer", () => {
    clearInterval(timerSlot.value);
    clearTimeout(firstRun);
  });
  log("info", "reconciliation timer started", { intervalMinutes: minutes });
}
