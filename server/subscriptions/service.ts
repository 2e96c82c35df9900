import "server-only";
import { SUBSCRIBABLE_EVENT_TYPES, WEBHOOK_PATH, type ConnectionCheckDto, type ConnectionViewDto, type SaveConnectionRequest, type SubscribeResultDto, type SubscriptionsViewDto, type TestEventResultDto } from "@/lib/subscriptions";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { addSigningSecret, listSigningSecrets } from "@/server/signing-secrets/signing-secrets";
import { createRxScaleClient, type RxScaleClient } from "@/server/rxscale/client";
import { RxScaleApiError } from "@/server/rxscale/errors";
import { resolveRxScaleBaseUrl } from "@/server/rxscale/environments";
import { openDeliveryBody } from "@/server/repositories/delivery-bodies";
import { eventStatsByType, listDeliveriesSince, type DeliveryPosition } from "@/server/repositories/subscription-stats";
import { isExpectedTestDelivery, type TestDeliveryExpectation } from "@/server/subscriptions/test-delivery";
import { getSettings, updateSettings } from "@/server/settings/settings";
import { apiKeyStatus, clearApiKey, readApiKey, saveApiKey } from "@/server/subscriptions/api-key";
import { isDemoActive, leaveDemoMode } from "@/server/subscriptions/demo-state";
import { configuredTargetUrl, readSetupVerified, recordSubscriptionHealth } from "@/server/subscriptions/health";

/*
 * The admin's side of RxScale's Management API: connection, subscriptions
 * (one per event type, docs/rxscale.md#notification-subscriptions), signing secrets captured at creation,
 * and the "send test event" check. RxScale errors become AppError
 * `upstream_error` carrying the client's admin-readable message.
 */

/** How long "send test event" waits for the delivery to arrive. */
export const TEST_EVENT_WAIT_MS = 15_000;
const TEST_EVENT_POLL_MS = 250;
/** Deliveries examined per poll while waiting for a test delivery; the next poll continues after them. */
const TEST_EVENT_SCAN_BATCH = 200;

function upstream(error: unknown): never {
  if (error instanceof RxScaleApiError) throw new AppError("upstream_error", error.message, { kind: error.kind });
  if (error instanceof AppError) throw error;
  if (error instanceof Error && error.message.startsWith("The RxScale base URL")) throw new AppError("invalid_request", error.message);
  throw error;
}

/** The URL RxScale should deliver to: configured, else RXWATCH_PUBLIC_URL, else this request's origin. */
export async function effectiveTargetUrl(requestOrigin: string): Promise<string> {
  return (await configuredTargetUrl()) ?? new URL(WEBHOOK_PATH, requestOrigin).toString();
}

async function client(): Promise<RxScaleClient> {
  const settings = await getSettings("connection");
  const apiKey = await readApiKey();
  if (!apiKey) throw new AppError("conflict", "No RxScale API key is configured. Enter one under Connection first.");
  try {
    return createRxScaleClient({
      baseUrl: resolveRxScaleBaseUrl(settings.environment, settings.customBaseUrl),
      apiKey,
      trailingSlash: settings.trailingSlash,
      deleteUidPlacement: settings.deleteUidPlacement,
    });
  } catch (error) {
    return upstream(error);
  }
}

export async function getConnectionView(requestOrigin: string): Promise<ConnectionViewDto> {
  return { settings: await getSettings("connection"), apiKey: await apiKeyStatus(), effectiveTargetUrl: await effectiveTargetUrl(requestOrigin), isDemo: await isDemoActive() };
}

/** Saves the connection; a new API key replaces the stored one and ends demo mode (the demo's check stops its emulator within 15 s). */
export async function saveConnection(request: SaveConnectionRequest, userId: string | null, requestOrigin: string): Promise<ConnectionViewDto> {
  if (request.settings.environment === "custom") {
    try {
      resolveRxScaleBaseUrl("custom", request.settings.customBaseUrl);
    } catch (error) {
      upstream(error);
    }
  }
  await updateSettings("connection", request.settings, userId);
  if (request.apiKey === null) await clearApiKey();
  else if (request.apiKey !== undefined) {
    await saveApiKey(request.apiKey, userId);
    await leaveDemoMode();
  }
  return getConnectionView(requestOrigin);
}

/** Reaches the health endpoint, then lists subscriptions to prove the key can read them. */
export async function checkConnection(): Promise<ConnectionCheckDto> {
  let api: RxScaleClient;
  try {
    api = await client();
  } catch (error) {
    return { ok: false, baseUrl: null, latencyMs: null, canRead: null, message: error instanceof Error ? error.message : "Not configured." };
  }
  try {
    const health = await api.health();
    try {
      await api.listSubscriptions();
      return { ok: true, baseUrl: api.baseUrl, latencyMs: Math.round(health.latencyMs), canRead: true, message: `Connected to ${api.baseUrl} (${Math.round(health.latencyMs)} ms); the key can read subscriptions.` };
    } catch (error) {
      const message = error instanceof RxScaleApiError ? error.message : "Listing subscriptions failed.";
      return { ok: false, baseUrl: api.baseUrl, latencyMs: Math.round(health.latencyMs), canRead: false, message: `RxScale answers, but: ${message}` };
    }
  } catch (error) {
    return { ok: false, baseUrl: api.baseUrl, latencyMs: null, canRead: null, message: error instanceof RxScaleApiError ? error.message : "RxScale could not be reached." };
  }
}

/** RxScale's subscriptions merged with what RxWatch received and expects; the listing also serves as a subscription health check (server/subscriptions/health.ts). */
export async function getSubscriptionsView(requestOrigin: string, now: Date = new Date()): Promise<SubscriptionsViewDto> {
  const api = await client();
  const target = await effectiveTargetUrl(requestOrigin);
  let listed;
  try {
    listed = await api.listSubscriptions();
  } catch (error) {
    return upstream(error);
  }
  await recordSubscriptionHealth(
    listed.map((subscription) => ({ uid: subscription.uid, eventType: subscription.notification_type, target: subscription.target })),
    target,
    now,
  );
  const [stats, secrets, expected, setupVerified] = await Promise.all([eventStatsByType(new Date(now.getTime() - 86_400_000)), listSigningSecrets(), getSettings("expectedSubscriptions"), readSetupVerified()]);
  const withSecret = new Set(secrets.filter((secret) => secret.isActive && secret.subscriptionUid).map((secret) => secret.subscriptionUid));
  const rows = listed.map((subscription) => {
    const stat = stats.get(subscription.notification_type);
    return {
      uid: subscription.uid,
      eventType: subscription.notification_type,
      target: subscription.target,
      payloadVersion: subscription.payload_version ?? null,
      createdAt: null,
      lastEventAt: stat?.lastAt?.toISOString() ?? null,
      eventsLast24h: stat?.recentCount ?? 0,
      isTargetThisRxWatch: subscription.target === target,
      hasSigningSecret: withSecret.has(subscription.uid),
      setupVerifiedAt: setupVerified[subscription.uid] ?? null,
    };
  });
  const delivered = new Set(rows.filter((row) => row.isTargetThisRxWatch).map((row) => row.eventType));
  return {
    rows,
    missing: expected.filter((type) => !delivered.has(type)),
    unexpected: rows.filter((row) => !row.isTargetThisRxWatch || !expected.includes(row.eventType)).map((row) => row.uid),
    subscribableTypes: [...SUBSCRIBABLE_EVENT_TYPES],
    effectiveTargetUrl: target,
  };
}

/**
 * Creates one subscription per event type to this RxWatch. The signing secret
 * RxScale returns once is captured into the secret store; when it returns
 * none, the admin pastes it (the result says so).
 */
export async function subscribe(eventTypes: readonly string[], requestOrigin: string, userId: string | null): Promise<SubscribeResultDto> {
  const api = await client();
  const target = await effectiveTargetUrl(requestOrigin);
  const result: SubscribeResultDto = { created: [], failed: [] };
  for (const eventType of new Set(eventTypes)) {
    try {
      const created = await api.createSubscription({ notification_type: eventType, target });
      if (created.signingSecret) {
        await addSigningSecret({ label: `${eventType} (${created.subscription.uid})`, secret: created.signingSecret, subscriptionUid: created.subscription.uid });
      }
      result.created.push({ uid: created.subscription.uid, eventType, isSecretCaptured: created.signingSecret !== null });
      log("info", "subscription created", { eventType, uid: created.subscription.uid, isSecretCaptured: created.signingSecret !== null });
    } catch (error) {
      result.failed.push({ eventType, message: error instanceof RxScaleApiError ? error.message : "Creating the subscription failed." });
    }
  }
  const expected = new Set(await getSettings("expectedSubscriptions"));
  for (const created of result.created) expected.add(created.eventType);
  await updateSettings("expectedSubscriptions", [...expected], userId);
  return result;
}

/**
 * Deletes subscription `uid` at RxScale, returning it and everything RxScale listed before. A uid RxScale does not
 * list is the caller's mistake (404, as a test event answers), not RxScale failing (502).
 */
async function deleteListedSubscription(uid: string) {
  const api = await client();
  try {
    const listed = await api.listSubscriptions();
    const removed = listed.find((subscription) => subscription.uid === uid);
    if (!removed) throw new AppError("not_found", "RxScale has no subscription with that uid.");
    await api.deleteSubscription(uid);
    return { removed, listed };
  } catch (error) {
    return upstream(error);
  }
}

/** Deletes a subscription at RxScale; its type is no longer expected unless another subscription of it remains. */
export async function unsubscribe(uid: string, requestOrigin: string, userId: string | null): Promise<void> {
  const { removed, listed } = await deleteListedSubscription(uid);
  const target = await effectiveTargetUrl(requestOrigin);
  if (!listed.some((subscription) => subscription.uid !== uid && subscription.notification_type === removed.notification_type && subscription.target === target)) {
    const expected = (await getSettings("expectedSubscriptions")).filter((type) => type !== removed.notification_type);
    await updateSettings("expectedSubscriptions", expected, userId);
  }
}

/** Replaces a subscription with one of the same type pointing at this RxWatch's current target (the API has no update). */
export async function recreate(uid: string, requestOrigin: string, userId: string | null): Promise<SubscribeResultDto> {
  const { removed } = await deleteListedSubscription(uid);
  return subscribe([removed.notification_type], requestOrigin, userId);
}

type CandidateDelivery = Awaited<ReturnType<typeof listDeliveriesSince>>[number];

function isExpected(delivery: CandidateDelivery, expected: TestDeliveryExpectation): boolean {
  try {
    return isExpectedTestDelivery(openDeliveryBody(delivery), expected);
  } catch {
    // A body that cannot be opened (key gone) is no evidence either way.
    return false;
  }
}

/** Reads the deliveries that arrived after `position` and returns the test delivery among them, if any, and where to continue. */
async function findTestDelivery(since: Date, position: DeliveryPosition | null, expected: TestDeliveryExpectation): Promise<{ found: CandidateDelivery | null; position: DeliveryPosition | null }> {
  let current = position;
  for (;;) {
    const batch = await listDeliveriesSince(since, current, TEST_EVENT_SCAN_BATCH);
    const found = batch.find((delivery) => isExpected(delivery, expected)) ?? null;
    const last = batch.at(-1);
    if (last) current = { receivedAt: last.receivedAt, id: last.id };
    if (found || batch.length < TEST_EVENT_SCAN_BATCH) return { found, position: current };
  }
}

/**
 * Asks RxScale for a test delivery of a subscription and waits for that very
 * delivery to arrive here — matched by the data uid RxScale's answer names, or
 * by the test payload's marker (server/subscriptions/test-delivery.ts), never
 * by its event type alone, so ordinary traffic cannot pass the test: passed
 * (accepted and verified), signature mismatch, otherwise rejected, not
 * received within the wait, or RxScale unreachable.
 */
export async function sendTestEvent(uid: string, options: { waitMs?: number; now?: () => number } = {}): Promise<TestEventResultDto> {
  const waitMs = options.waitMs ?? TEST_EVENT_WAIT_MS;
  const now = options.now ?? Date.now;
  const api = await client();
  let eventType: string | undefined;
  try {
    eventType = (await api.listSubscriptions()).find((subscription) => subscription.uid === uid)?.notification_type;
  } catch (error) {
    return { result: "unreachable", message: error instanceof RxScaleApiError ? error.message : "RxScale could not be reached.", deliveryId: null, waitedMs: 0 };
  }
  if (!eventType) throw new AppError("not_found", "RxScale has no subscription with that uid.");
  const started = now();
  // Deliveries are stamped with this server's clock when they arrive, after this point.
  const since = new Date(started);
  let expected: TestDeliveryExpectation;
  try {
    const answer = await api.sendTestEvent({ uid });
    const dataUids = (answer.deliveries ?? []).filter((delivery) => delivery.subscriptionUid === null || delivery.subscriptionUid === uid).flatMap((delivery) => (delivery.dataUid ? [delivery.dataUid] : []));
    expected = { subscriptionUid: uid, dataUids };
  } catch (error) {
    return { result: "unreachable", message: error instanceof RxScaleApiError ? error.message : "RxScale could not be reached.", deliveryId: null, waitedMs: now() - started };
  }
  let position: DeliveryPosition | null = null;
  while (now() - started < waitMs) {
    const scan = await findTestDelivery(since, position, expected);
    position = scan.position;
    const delivery = scan.found;
    if (delivery) {
      const waitedMs = now() - started;
      if (delivery.outcome === "accepted" || delivery.outcome === "duplicate") {
        return { result: "passed", message: `The test delivery arrived after ${(waitedMs / 1000).toFixed(1)} s and its signature verified.`, deliveryId: delivery.id, waitedMs };
      }
      if (delivery.reasonCode === "bad_signature") {
        return {
          result: "signature_mismatch",
          message: "The test delivery arrived, but no signing secret RxWatch holds produced its signature. Add the subscription's signing secret under Signing secrets (or re-create the subscription to capture a new one).",
          deliveryId: delivery.id,
          waitedMs,
        };
      }
      return { result: "rejected", message: `The test delivery arrived but was rejected (${delivery.reasonCode ?? `HTTP ${delivery.httpStatus}`}).`, deliveryId: delivery.id, waitedMs };
    }
    await new Promise((resolve) => setTimeout(resolve, TEST_EVENT_POLL_MS));
  }
  return {
    result: "not_received",
    message: `RxScale accepted the request, but no delivery arrived within ${Math.round(waitMs / 1000)} s. Check that the subscription's target URL reaches this RxWatch from RxScale (firewall, TLS, public URL).`,
    deliveryId: null,
    waitedMs: now() - started,
  };
}
