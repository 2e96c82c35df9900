import "server-only";
import { processSlot } from "@/server/core/process-slot";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from "@/emulator/emulator";
import { SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_PATH, type SubscribeResultDto } from "@/lib/subscriptions";
import { decideDemoMode } from "@/server/demo/decision";
import { demoPasswordHint, describeDemoAdmin, ensureDemoAdmin, type DemoAdminResult } from "@/server/demo/admin";
import { env } from "@/server/core/env";
import { listSigningSecrets, retireSigningSecret } from "@/server/signing-secrets/signing-secrets";
import { log } from "@/server/core/logger";
import { deleteSettingRow, findSettingRow, upsertSettingRow } from "@/server/repositories/settings";
import { getSettings, updateSettings } from "@/server/settings/settings";
import { onShutdown } from "@/server/core/shutdown";
import { apiKeyStatus, clearApiKey, saveApiKey } from "@/server/subscriptions/api-key";
import { demoState, enterDemoMode, isDemoActive, leaveDemoMode } from "@/server/subscriptions/demo-state";
import { subscribe } from "@/server/subscriptions/service";
import { EXCLUSIVE_JOBS, runExclusive } from "@/server/timers/leader-lock";
import { reconcileTick } from "@/server/reconciliation/timer";

/*
 * Demo mode: RxScale is played by the emulator, started in this process on a
 * fresh state each time, and RxWatch is connected to it through the same path
 * an admin uses (connection settings, sealed API key, Management API
 * subscriptions with captured secrets), so everything on screen is the real
 * product working on fake orders.
 */

/** How often a running demo checks whether an admin connected the real RxScale meanwhile. */
const DEMO_WATCH_INTERVAL_MS = 15_000;
/** Deliveries still in flight when the process stops get this long; they are demo data. */
const DEMO_SHUTDOWN_GRACE_MS = 1_000;

/**
 * Faults the demo's traffic carries: a few duplicates and out-of-order
 * deliveries, which RxWatch absorbs (deduplication, newest-wins projection)
 * and which show up in traces. Wrong signatures, malformed bodies and unknown
 * event types stay off: they would fill a first look at the dashboard with
 * failures that are the emulator's doing. The demo emulator's controls take a
 * random token only this process knows (`emulator.controlToken`); a fault
 * rehearsal runs the emulator on its own (docs/emulator.md#controls-_emulator).
 */
const DEMO_FAULTS = { duplicate: 0.03, out_of_order: 0.03 } as const;
/**
 * Share of the demo's events never sent at all, so the first reconciliation
 * run (DEMO_FIRST_RECONCILE_MS after traffic starts) has something to find
 * (docs/reconciliation.md#demo-mode).
 */
const DEMO_DROP_RATE = 0.05;
const DEMO_FIRST_RECONCILE_MS = 60_000;

/** Ids of the signing secrets captured from the running demo's emulator, so the next start can retire them. */
const DEMO_SECRETS_SETTING = "demo.signingSecretIds";
const demoSecretIdsSchema = z.array(z.string());

export interface DemoModeOptions {
  /** Where the emulator delivers; default http://127.0.0.1:PORT/api/webhooks/rxscale. */
  webhookTargetUrl?: string;
  /** Origin passed to the subscription service (used only when no target is configured); default http://127.0.0.1:PORT. */
  origin?: string;
  /** Overrides of the emulator's options (tests: port 0, fast traffic, quiet). */
  emulator?: StartEmulatorOptions;
  /** Pause before subscribing, so start-up is not held up by it. Default 0 (after the current start-up step). */
  subscribeDelayMs?: number;
  watchIntervalMs?: number;
  /** The first reconciliation run, this long after traffic starts; default one minute. */
  reconcileAfterMs?: number;
  /** Where the demo admin block goes; stdout by default. */
  print?: (text: string) => void;
  /** Whether `print` reaches a person at a terminal (then the new password is shown); default: stdout is a TTY. */
  isInteractive?: boolean;
}

export interface DemoRun {
  emulator: RunningEmulator;
  emulatorUrl: string;
  admin: DemoAdminResult;
  /** Settles once the subscriptions exist and traffic flows; null when subscribing failed (logged). Never rejects. */
  subscribed: Promise<SubscribeResultDto | null>;
  /** Stops the emulator (and the watch). Safe to call twice. */
  stop(): Promise<void>;
}

interface RunningDemo {
  run: DemoRun;
  lifecycle: { isStopped: boolean };
}

// One per process (see server/core/process-slot.ts): the dashboard layout's bundle asks demoBanner() about the demo instrumentation started.
const demoSlot = processSlot<RunningDemo>("rxwatchDemo");

/** The demo banner's data while this process runs demo mode, else null. */
export async function demoBanner(): Promise<{ emulatorUrl: string } | null> {
  const running = demoSlot.value;
  if (!running || running.lifecycle.isStopped) return null;
  if (!(await isDemoActive())) return null;
  return { emulatorUrl: running.run.emulatorUrl };
}

/** For the sign-in page while demo mode runs: whom to sign in as and which file holds the password. */
export async function demoSignInHint(): Promise<{ email: string; passwordFile: string | null } | null> {
  return (await demoBanner()) === null ? null : demoPasswordHint();
}

/**
 * Decides from RXWATCH_DEMO, NODE_ENV and what is stored whether this start
 * runs demo mode, and starts it. Never fails the start-up: a demo that cannot
 * start is logged and the instance serves without it.
 */
export async function startDemoModeIfEnabled(): Promise<{ isOn: boolean; isDemoAdminCreated: boolean }> {
  const config = env();
  try {
    const decision = decideDemoMode({ setting: config.RXWATCH_DEMO, nodeEnv: config.NODE_ENV, hasApiKey: (await apiKeyStatus()).isSet, isDemoActive: await isDemoActive() });
    if (!decision.isOn) {
      if (decision.reason === "disabled") await endStoredDemo();
      return { isOn: false, isDemoAdminCreated: false };
    }
    // Several instances on one PostgreSQL: one runs the emulator (holding the demo lock while it lives); the others only serve.
    if (!(await runExclusive(EXCLUSIVE_JOBS.demoMode, async () => true)).ran) {
      log("info", "demo mode runs on another instance sharing this database");
      return { isOn: false, isDemoAdminCreated: false };
    }
    const run = await startDemoMode();
    stopOnShutdown(run);
    log("info", "demo mode on: the built-in RxScale emulator sends fake orders to this RxWatch", { reason: decision.reason, emulatorUrl: run.emulatorUrl });
    log("info", "demo mode: turn it off with RXWATCH_DEMO=0, or connect the real RxScale under Settings → Connection");
    return { isOn: true, isDemoAdminCreated: run.admin.kind === "created" };
  } catch (error) {
    log("error", "demo mode could not start; serving without it", { error: error instanceof Error ? error.message : "unknown" });
    return { isOn: false, isDemoAdminCreated: false };
  }
}

/**
 * Starts the emulator and connects this RxWatch to it: connection settings,
 * the demo's API key (random per start, sealed like any key), the demo state,
 * the demo admin when there are no users. Subscribing to every event type the
 * emulator generates happens afterwards, without holding up start-up: until
 * the server listens, the emulator's retries carry the first deliveries.
 */
export async function startDemoMode(options: DemoModeOptions = {}): Promise<DemoRun> {
  const config = env();
  const localOrigin = `http://127.0.0.1:${config.PORT}`;
  const webhookTargetUrl = options.webhookTargetUrl ?? new URL(WEBHOOK_PATH, localOrigin).toString();
  const origin = options.origin ?? localOrigin;
  const print = options.print ?? ((text: string) => console.log(text));

  const previous = demoSlot.value;
  if (previous && !previous.lifecycle.isStopped) return previous.run;

  await retireTrackedDemoSecrets();
  const apiKey = `rxw-demo-${randomBytes(24).toString("hex")}`;
  const eventNames = await getSettings("eventNames");
  const emulator = await startDemoEmulator({
    host: "127.0.0.1",
    port: config.RXWATCH_DEMO_EMULATOR_PORT,
    apiKeys: [{ key: apiKey, permissions: ["notification_subscription:read", "notification_subscription:write", "order:read", "prescription:read"] }],
    ordersPerMinute: config.RXWATCH_DEMO_ORDERS_PER_MINUTE,
    eventNames,
    preset: "default",
    faults: DEMO_FAULTS,
    dropRate: DEMO_DROP_RATE,
    shutdownGraceMs: DEMO_SHUTDOWN_GRACE_MS,
    log: routeEmulatorLine,
    ...options.emulator,
  });
  // No order starts before RxWatch holds the secrets: its events would be refused, or sent to nobody.
  emulator.pause();

  let admin: DemoAdminResult;
  try {
    await updateSettings("connection", { environment: "custom", customBaseUrl: emulator.url, webhookTargetUrl, trailingSlash: true, deleteUidPlacement: "path" }, null);
    await saveApiKey(apiKey, null);
    await enterDemoMode(emulator.url);
    admin = await ensureDemoAdmin();
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  const block = describeDemoAdmin(admin, config.RXWATCH_PUBLIC_URL ?? `http://localhost:${config.PORT}`, { isInteractive: options.isInteractive ?? process.stdout.isTTY === true });
  if (block !== null) print(block);

  const lifecycle = { isStopped: false };
  let watch: NodeJS.Timeout | null = null;
  let firstReconcile: NodeJS.Timeout | null = null;
  const stop = async (): Promise<void> => {
    if (lifecycle.isStopped) return;
    lifecycle.isStopped = true;
    if (watch) clearInterval(watch);
    if (firstReconcile) clearTimeout(firstReconcile);
    if (demoSlot.value?.lifecycle === lifecycle) demoSlot.value = undefined;
    await emulator.stop();
  };

  const eventTypes = [...new Set([...SUBSCRIBABLE_EVENT_TYPES, ...Object.values(eventNames)])];
  const subscribed = new Promise((resolve) => setTimeout(resolve, options.subscribeDelayMs ?? 0))
    .then(async () => {
      if (lifecycle.isStopped) return null;
      const result = await subscribe(eventTypes, origin, null);
      await trackDemoSecrets(emulator);
      if (result.failed.length > 0) log("warn", "demo mode: some subscriptions could not be created", { failed: result.failed.map((failure) => failure.eventType) });
      log("info", "demo mode: subscribed to the emulator's events", { count: result.created.length, target: webhookTargetUrl });
      return result;
    })
    .catch((error: unknown) => {
      log("error", "demo mode: subscribing to the emulator failed", { error: error instanceof Error ? error.message : "unknown" });
      return null;
    })
    .finally(() => {
      if (lifecycle.isStopped) return;
      emulator.resume();
      // Sooner than the timer's first run, so a first look at the demo already shows a finding.
      firstReconcile = setTimeout(() => void runExclusive(EXCLUSIVE_JOBS.reconciliationTimer, () => reconcileTick()), options.reconcileAfterMs ?? DEMO_FIRST_RECONCILE_MS);
      firstReconcile.unref();
    });

  watch = setInterval(() => {
    void watchDemo(emulator, stop).catch((error: unknown) => log("warn", "demo mode: watch failed", { error: error instanceof Error ? error.name : "unknown" }));
  }, options.watchIntervalMs ?? DEMO_WATCH_INTERVAL_MS);
  watch.unref();

  const run: DemoRun = { emulator, emulatorUrl: emulator.url, admin, subscribed, stop };
  demoSlot.value = { run, lifecycle };
  return run;
}

/** Keeps the record of demo secrets current, and ends the demo once a real RxScale key replaced the demo's. */
async function watchDemo(emulator: RunningEmulator, stop: () => Promise<void>): Promise<void> {
  if (await isDemoActive()) {
    await trackDemoSecrets(emulator);
    return;
  }
  log("info", "demo mode ended: the real RxScale was connected; stopping the demo emulator and retiring its signing secrets");
  await trackDemoSecrets(emulator);
  await stop();
  await retireTrackedDemoSecrets();
}

async function startDemoEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  try {
    return await startEmulator(options);
  } catch (error) {
    if (!isAddressInUse(error) || options.port === 0) throw error;
    log("warn", "demo emulator port is busy; using a free port instead (set RXWATCH_DEMO_EMULATOR_PORT to choose)", { port: options.port });
    return startEmulator({ ...options, port: 0 });
  }
}

function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "EADDRINUSE";
}

/** The emulator's lines carry ids, types, targets and status codes, never payload content (emulator/log.ts). */
function routeEmulatorLine(line: string): void {
  const text = line.replace(/^\[rxscale-emulator\] /, "");
  if (text.startsWith("WARNING ")) log("warn", `demo emulator: ${text.slice("WARNING ".length)}`);
  else log("info", `demo emulator: ${text}`);
}

async function readTrackedSecretIds(): Promise<string[]> {
  const row = await findSettingRow(DEMO_SECRETS_SETTING);
  if (!row) return [];
  let stored: unknown;
  try {
    stored = JSON.parse(row.value);
  } catch {
    return [];
  }
  const parsed = demoSecretIdsSchema.safeParse(stored);
  return parsed.success ? parsed.data : [];
}

/**
 * Records the active secrets captured from this emulator's subscriptions,
 * including ones an admin created by hand on the demo's settings page. The
 * emulator forgets its subscriptions on stop, so this record is how the next
 * start knows which secrets belonged to the demo.
 */
async function trackDemoSecrets(emulator: RunningEmulator): Promise<void> {
  const uids = new Set(emulator.subscriptions().map((subscription) => subscription.uid));
  const tracked = new Set(await readTrackedSecretIds());
  const before = tracked.size;
  for (const secret of await listSigningSecrets()) {
    if (secret.isActive && secret.subscriptionUid !== null && uids.has(secret.subscriptionUid)) tracked.add(secret.id);
  }
  if (tracked.size !== before) await upsertSettingRow(DEMO_SECRETS_SETTING, JSON.stringify([...tracked]), null);
}

/** Retires the secrets of a demo whose emulator is gone (an earlier start, or one just stopped): nothing signs with them any more. */
async function retireTrackedDemoSecrets(): Promise<number> {
  const ids = new Set(await readTrackedSecretIds());
  let retired = 0;
  for (const secret of await listSigningSecrets()) {
    if (!secret.isActive || !ids.has(secret.id)) continue;
    await retireSigningSecret(secret.id);
    retired += 1;
  }
  await deleteSettingRow(DEMO_SECRETS_SETTING);
  if (retired > 0) log("info", "demo mode: retired the signing secrets of a demo emulator that is no longer running", { count: retired });
  return retired;
}

/**
 * RXWATCH_DEMO=0 after a demo ran: removes what the demo configured (its key,
 * its secrets, a connection pointing at its emulator), so Settings starts
 * clean and no banner claims the data is live demo traffic.
 */
export async function endStoredDemo(): Promise<void> {
  if (!(await isDemoActive())) return;
  const state = await demoState();
  await retireTrackedDemoSecrets();
  await clearApiKey();
  const connection = await getSettings("connection");
  if (state !== null && connection.customBaseUrl === state.emulatorUrl) await updateSettings("connection", {}, null);
  await leaveDemoMode();
  log("info", "demo mode off (RXWATCH_DEMO=0): the earlier demo's connection, API key and signing secrets were removed");
}

/** Stops the emulator when the instance shuts down, before ingest is drained (it is a source of deliveries). */
function stopOnShutdown(run: DemoRun): void {
  onShutdown("intake", "demo emulator", async () => {
    await run.stop();
    log("info", "demo emulator stopped");
  });
}
