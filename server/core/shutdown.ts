import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { closeDb } from "@/server/core/db";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { metrics } from "@/server/core/metrics";

// Graceful shutdown on SIGTERM/SIGINT: stages intake → work → cleanup, then the pool
// closes and the process exits 0 (1 after RXWATCH_SHUTDOWN_TIMEOUT_MS; everything
// acknowledged is committed by then). Owns the exit only with NEXT_MANUAL_SIG_HANDLE.
// See docs/operations.md#shutdown-and-deploys

export type ShutdownStage = "intake" | "work" | "cleanup";
const STAGES: readonly ShutdownStage[] = ["intake", "work", "cleanup"];
const EXIT_CODE_BY_SIGNAL = { SIGTERM: 143, SIGINT: 130 } as const;

interface ShutdownState {
  isDraining: boolean;
  inFlightIngest: number;
  ingestIdle: (() => void)[];
  steps: { stage: ShutdownStage; name: string; run: () => Promise<void> | void }[];
  drainListeners: Set<() => void>;
  isInstalled: boolean;
  done: Promise<void> | null;
}

// One per process (see server/core/process-slot.ts): route bundles, instrumentation and the worker must see one state.
const state: ShutdownState = processSingleton<ShutdownState>("rxwatchShutdown", () => ({
  isDraining: false,
  inFlightIngest: 0,
  ingestIdle: [],
  steps: [],
  drainListeners: new Set(),
  isInstalled: false,
  done: null,
}));

/** True once a shutdown has begun: take no new work. */
export function isShuttingDown(): boolean {
  return state.isDraining;
}

/** Runs one webhook request, counted so a shutdown waits for it to be answered. */
export async function trackIngest<T>(work: () => Promise<T>): Promise<T> {
  state.inFlightIngest += 1;
  try {
    return await work();
  } finally {
    state.inFlightIngest -= 1;
    if (state.inFlightIngest === 0) for (const resolve of state.ingestIdle.splice(0)) resolve();
  }
}

function ingestDrained(): Promise<void> {
  if (state.inFlightIngest === 0) return Promise.resolve();
  return new Promise((resolve) => state.ingestIdle.push(resolve));
}

/** Registers a step to run at `stage` of a shutdown; steps of one stage run together, stages in order. */
export function onShutdown(stage: ShutdownStage, name: string, run: () => Promise<void> | void): void {
  state.steps.push({ stage, name, run });
}

/** Calls `listener` when a shutdown begins (at once when one already has); returns the unsubscribe. */
export function onDrain(listener: () => void): () => void {
  if (state.isDraining) {
    listener();
    return () => undefined;
  }
  state.drainListeners.add(listener);
  return () => state.drainListeners.delete(listener);
}

async function runStage(stage: ShutdownStage): Promise<void> {
  await Promise.all(
    state.steps
      .filter((step) => step.stage === stage)
      .map(async (step) => {
        try {
          await step.run();
        } catch (error) {
          log("error", "shutdown step failed", { step: step.name, error: error instanceof Error ? error.name : "unknown" });
        }
      }),
  );
}

/**
 * Drains this instance (see the top of this file) and resolves when it is
 * done; calling it again returns the same drain. Does not exit: the signal
 * handler does.
 */
export function shutDown(reason: string): Promise<void> {
  state.done ??= (async () => {
    const startedAt = Date.now();
    state.isDraining = true;
    metrics().shuttingDown.set(1);
    log("info", "shutting down: draining", { reason, inFlightIngest: state.inFlightIngest });
    for (const listener of state.drainListeners) listener();
    state.drainListeners.clear();
    await runStage("intake");
    await ingestDrained();
    for (const stage of STAGES.slice(1)) await runStage(stage);
    await closeDb();
    log("info", "shut down cleanly", { reason, ms: Date.now() - startedAt });
  })();
  return state.done;
}

/**
 * Handles SIGTERM and SIGINT with {@link shutDown}, once per process, and
 * exits: 0 after a clean drain, 1 when RXWATCH_SHUTDOWN_TIMEOUT_MS ran out.
 * Repeated signals (a shell sends SIGINT to the whole process group, and
 * npm start forwards it too) do not cut the drain short.
 */
export function installShutdownHandlers(): void {
  if (state.isInstalled) return;
  state.isInstalled = true;
  const config = env();
  const isExitOwnedByNext = config.NEXT_MANUAL_SIG_HANDLE === undefined && process.listenerCount("SIGTERM") > 0;
  if (isExitOwnedByNext && config.NODE_ENV === "production") {
    log("warn", "NEXT_MANUAL_SIG_HANDLE is not set: on SIGTERM Next.js may exit before in-flight work is drained (npm start and the Docker image set it)");
  }
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (state.done) return;
      const timeoutMs = config.RXWATCH_SHUTDOWN_TIMEOUT_MS;
      const deadline = setTimeout(() => {
        log("error", "shutdown did not finish in time; exiting anyway", { timeoutMs });
        process.exit(1);
      }, timeoutMs);
      deadline.unref();
      shutDown(signal).then(
        () => process.exit(isExitOwnedByNext ? EXIT_CODE_BY_SIGNAL[signal] : 0),
        (error: unknown) => {
          log("error", "shutdown failed", { error: error instanceof Error ? error.name : "unknown" });
          process.exit(1);
        },
      );
    });
  }
}
