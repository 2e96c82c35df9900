import "server-only";
import { z } from "zod";
import { WEBHOOK_PATH } from "@/lib/subscriptions";
import { compareSubscriptions, subscriptionDifferenceSchema, type ListedSubscription } from "@/lib/subscription-health";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { processSlot } from "@/server/core/process-slot";
import { onShutdown } from "@/server/core/shutdown";
import { connectedRxScaleClient } from "@/server/reconciliation/rxscale-connection";
import { verifiedDeliveriesByType } from "@/server/repositories/failures";
import { deleteSettingRow, findSettingRow, upsertSettingRow } from "@/server/repositories/settings";
import { listDeliveriesVerifiedWith } from "@/server/repositories/subscription-stats";
import { openDeliveryBody } from "@/server/repositories/delivery-bodies";
import { RxScaleApiError } from "@/server/rxscale/errors";
import { getSettings } from "@/server/settings/settings";
import { listSigningSecrets } from "@/server/signing-secrets/signing-secrets";
import { readApiKey } from "@/server/subscriptions/api-key";
import { isMarkedTestDelivery } from "@/server/subscriptions/test-delivery";

/*
 * Subscription health (docs/failures-and-alerts.md#subscription-health): lists
 * RxScale's subscriptions on a timer (and whenever the Settings subscriptions
 * page lists them anyway), compares them with what RxWatch needs and stores
 * the differences, which the failure scan turns into incidents. The same pass
 * recognises the automatic test delivery RxScale sends after registration and
 * stores when each subscription's setup was verified.
 */

const HEALTH_SETTING = "subscriptions.health";
const SETUP_VERIFIED_SETTING = "subscriptions.setupVerified";
/** The automatic test delivery is looked for among a new subscription's first deliveries within this long of its secret's capture. */
const SETUP_TEST_WINDOW_MS = 24 * 60 * 60 * 1000;
const SETUP_TEST_CANDIDATES = 20;
/** A verified delivery of a type this recent proves RxWatch holds the secret (pasted or from RXSCALE_SIGNING_SECRETS) even when it is not linked to a subscription. */
const VERIFIED_PROVES_SECRET_MS = 24 * 60 * 60 * 1000;

const iso = z.iso.datetime();
const storedDifferenceSchema = subscriptionDifferenceSchema.extend({
  /** First check that found this difference, kept while later checks still find it. */
  since: iso,
  /** Where the listed subscription delivers (for `elsewhere`); null otherwise. */
  listedTarget: z.string().nullable(),
});
export type StoredSubscriptionDifference = z.infer<typeof storedDifferenceSchema>;

const storedHealthSchema = z.object({
  checkedAt: iso,
  target: z.string(),
  differences: z.array(storedDifferenceSchema),
  /** Why the latest check could not list RxScale's subscriptions; the differences are then those of the last check that could. */
  error: z.string().nullable(),
});
export type SubscriptionHealth = z.infer<typeof storedHealthSchema>;

const setupVerifiedSchema = z.record(z.string(), iso);

async function readJsonSetting<T>(key: string, schema: z.ZodType<T>): Promise<T | null> {
  const row = await findSettingRow(key);
  if (!row) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The last check's result; null when none ran or RxScale is not connected. */
export function readSubscriptionHealth(): Promise<SubscriptionHealth | null> {
  return readJsonSetting(HEALTH_SETTING, storedHealthSchema);
}

/** When each subscription's automatic test delivery arrived, by subscription uid (ISO instants). */
export async function readSetupVerified(): Promise<Record<string, string>> {
  return (await readJsonSetting(SETUP_VERIFIED_SETTING, setupVerifiedSchema)) ?? {};
}

/** The target RxScale should deliver to when no request tells: configured, else from RXWATCH_PUBLIC_URL; null when neither is set. */
export async function configuredTargetUrl(): Promise<string | null> {
  const configured = (await getSettings("connection")).webhookTargetUrl;
  if (configured) return configured;
  const base = env().RXWATCH_PUBLIC_URL;
  return base ? new URL(WEBHOOK_PATH, base).toString() : null;
}

/** Looks for the automatic test delivery of each new subscription whose setup is not verified yet, and stores the ones found. */
async function recordSetupVerifications(listed: readonly ListedSubscription[], secrets: Awaited<ReturnType<typeof listSigningSecrets>>, now: Date): Promise<void> {
  const stored = await readSetupVerified();
  const listedUids = new Set(listed.map((subscription) => subscription.uid));
  const next: Record<string, string> = Object.fromEntries(Object.entries(stored).filter(([uid]) => listedUids.has(uid)));
  for (const secret of secrets) {
    const uid = secret.subscriptionUid;
    if (!uid || !secret.isActive || next[uid] || !listedUids.has(uid)) continue;
    const capturedAt = new Date(secret.createdAt);
    if (now.getTime() - capturedAt.getTime() > SETUP_TEST_WINDOW_MS) continue;
    const candidates = await listDeliveriesVerifiedWith(secret.id, capturedAt, new Date(capturedAt.getTime() + SETUP_TEST_WINDOW_MS), SETUP_TEST_CANDIDATES);
    const test = candidates.find((delivery) => {
      try {
        return isMarkedTestDelivery(openDeliveryBody(delivery), uid);
      } catch {
        return false;
      }
    });
    if (test) next[uid] = test.receivedAt.toISOString();
  }
  if (JSON.stringify(next) !== JSON.stringify(stored)) await upsertSettingRow(SETUP_VERIFIED_SETTING, JSON.stringify(next), null);
}

/**
 * Compares RxScale's listing with what RxWatch needs and stores the result:
 * needed are the event types subscribed through RxWatch (the
 * `expectedSubscriptions` setting), the target is `target`, and a secret is
 * held when an active stored secret is linked to the subscription or a
 * delivery of its type verified within the last day.
 */
export async function recordSubscriptionHealth(listed: readonly ListedSubscription[], target: string, now: Date = new Date()): Promise<SubscriptionHealth> {
  const [needed, secrets, verifying, previous] = await Promise.all([getSettings("expectedSubscriptions"), listSigningSecrets(), verifiedDeliveriesByType(new Date(now.getTime() - VERIFIED_PROVES_SECRET_MS)), readSubscriptionHealth()]);
  const verifiedTypes = new Set(verifying.flatMap((entry) => (entry.eventType && entry.count > 0 ? [entry.eventType] : [])));
  const secretHeldFor = new Set([
    ...secrets.flatMap((secret) => (secret.isActive && secret.subscriptionUid ? [secret.subscriptionUid] : [])),
    ...listed.filter((subscription) => verifiedTypes.has(subscription.eventType)).map((subscription) => subscription.uid),
  ]);
  const sinceOf = new Map((previous?.differences ?? []).map((difference) => [`${difference.problem}:${difference.eventType}`, difference.since]));
  const differences = compareSubscriptions({ listed, neededTypes: needed, target, secretHeldFor }).map((difference) => ({
    ...difference,
    since: sinceOf.get(`${difference.problem}:${difference.eventType}`) ?? now.toISOString(),
    listedTarget: difference.problem === "elsewhere" ? (listed.find((subscription) => subscription.uid === difference.subscriptionUid)?.target ?? null) : null,
  }));
  const health: SubscriptionHealth = { checkedAt: now.toISOString(), target, differences, error: null };
  await upsertSettingRow(HEALTH_SETTING, JSON.stringify(health), null);
  await recordSetupVerifications(listed, secrets, now);
  return health;
}

/**
 * One health check: lists RxScale's subscriptions through the shared client
 * (within the shared request budget) and records the comparison. Does nothing
 * but forget an earlier result when no API key is saved (not connected: there
 * is nothing to compare), and nothing at all when RxWatch cannot know its own
 * target (no configured target, no RXWATCH_PUBLIC_URL, no request): the
 * Settings page's check passes the request's origin. A failed listing is
 * recorded on the result, keeping the last differences, and never throws.
 */
export async function checkSubscriptionHealth(options: { requestOrigin?: string; now?: Date } = {}): Promise<SubscriptionHealth | null> {
  const now = options.now ?? new Date();
  if (!(await readApiKey())) {
    await deleteSettingRow(HEALTH_SETTING);
    return null;
  }
  const target = (await configuredTargetUrl()) ?? (options.requestOrigin ? new URL(WEBHOOK_PATH, options.requestOrigin).toString() : null);
  if (!target) return null;
  let listed: ListedSubscription[];
  try {
    const client = await connectedRxScaleClient();
    listed = (await client.listSubscriptions()).map((subscription) => ({ uid: subscription.uid, eventType: subscription.notification_type, target: subscription.target }));
  } catch (error) {
    const message = error instanceof RxScaleApiError ? error.message : error instanceof Error ? error.message : "Listing RxScale's subscriptions failed.";
    log("warn", "subscription health check could not list RxScale's subscriptions", { error: message });
    const previous = await readSubscriptionHealth();
    const health: SubscriptionHealth = { checkedAt: now.toISOString(), target, differences: previous?.differences ?? [], error: message };
    await upsertSettingRow(HEALTH_SETTING, JSON.stringify(health), null);
    return health;
  }
  return recordSubscriptionHealth(listed, target, now);
}

const timerSlot = processSlot<NodeJS.Timeout>("rxwatchSubscriptionHealthTimer");

/** Starts this process's subscription health timer, once (RXWATCH_SUBSCRIPTION_CHECK_MINUTES; 0 turns it off); never keeps the process alive. */
export function startSubscriptionHealthTimer(tick: () => Promise<void>): void {
  const minutes = env().RXWATCH_SUBSCRIPTION_CHECK_MINUTES;
  if (timerSlot.value || minutes === 0) return;
  timerSlot.value = setInterval(() => void tick(), minutes * 60 * 1000);
  timerSlot.value.unref();
  onShutdown("intake", "subscription health timer", () => clearInterval(timerSlot.value));
  log("info", "subscription health timer started", { intervalMinutes: minutes });
}

/** One scheduled check; its failures are logged, never thrown. */
export async function subscriptionHealthTick(): Promise<void> {
  try {
    await checkSubscriptionHealth();
  } catch (error) {
    log("error", "subscription health check failed", { error: error instanceof Error ? error.name : "error" });
  }
}
