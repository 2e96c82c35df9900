import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import type { RunningEmulator } from "@/emulator/emulator";
import { HOUR_MS, quietWindows } from "@/lib/subscription-health";
import { createDb } from "@/server/core/db";
import { scanFailures } from "@/server/failures/scan";
import { updateSettings } from "@/server/settings/settings";
import { listSigningSecrets } from "@/server/signing-secrets/signing-secrets";
import { clearApiKey } from "@/server/subscriptions/api-key";
import { checkSubscriptionHealth, readSetupVerified } from "@/server/subscriptions/health";
import { getSubscriptionsView, recreate, saveConnection, subscribe } from "@/server/subscriptions/service";
import { createWebhookEvent } from "../support/factories";
import { startTestEmulator, TEST_ADMIN_KEY } from "../support/emulator";
import { serveRoute } from "../support/route-server";

let emulator: RunningEmulator;
let receiver: { url: string; close: () => Promise<void> };
let target = "";
const ORIGIN = "http://rxwatch.test";
const ELSEWHERE = "http://127.0.0.1:9/api/webhooks/rxscale";

async function control(path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${emulator.url}/_emulator${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${emulator.controlToken}` }, body: JSON.stringify(body) });
}

async function subscriptionGroups(now = new Date()) {
  return (await scanFailures(now)).groups.filter((group) => group.kind === "subscription");
}

function uidOf(eventType: string): string {
  const uid = emulator.subscriptions().find((subscription) => subscription.notification_type === eventType && subscription.target === target)?.uid;
  if (!uid) throw new Error(`no ${eventType} subscription to this RxWatch`);
  return uid;
}

beforeAll(async () => {
  receiver = await serveRoute((request) => postWebhook(request));
  target = `${receiver.url}/api/webhooks/rxscale`;
  // RxScale's automatic test delivery after registration, a moment after the 201 as the emulator sends it.
  emulator = await startTestEmulator({ testOnCreate: true, testOnCreateDelayMs: 50 });
  await saveConnection({ settings: { environment: "custom", customBaseUrl: emulator.url, webhookTargetUrl: target, trailingSlash: true, deleteUidPlacement: "path" }, apiKey: TEST_ADMIN_KEY }, null, ORIGIN);
});

afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});

describe("subscription health", () => {
  it("raises nothing when every needed subscription delivers here with its secret, and records each setup as verified by the automatic test delivery", async () => {
    const result = await subscribe(["pharmacy_order_created", "pharmacy_order_updated"], ORIGIN, null);
    expect(result.failed).toEqual([]);
    const uids = result.created.map((created) => created.uid);
    await expect.poll(async () => (await checkSubscriptionHealth(), Object.keys(await readSetupVerified()).sort()), { timeout: 10_000 }).toEqual([...uids].sort());
    expect((await checkSubscriptionHealth())?.differences).toEqual([]);
    expect(await subscriptionGroups()).toEqual([]);
    const rows = (await getSubscriptionsView(ORIGIN)).rows;
    expect(rows.map((row) => row.setupVerifiedAt)).toEqual([expect.any(String), expect.any(String)]);
  });

  it("raises exactly one 'missing' incident for a subscription deleted at RxScale, and resolves it once subscribed again with the new secret held", async () => {
    const deletedUid = uidOf("pharmacy_order_created");
    expect((await control(`/subscriptions/${deletedUid}/delete`)).status).toBe(200);
    await checkSubscriptionHealth();
    const groups = await subscriptionGroups();
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ key: "subscription:missing:pharmacy_order_created", state: "open", evidence: { kind: "subscription", problem: "missing", eventType: "pharmacy_order_created", subscriptionUid: null } });

    const again = await subscribe(["pharmacy_order_created"], ORIGIN, null);
    const newUid = again.created[0]?.uid;
    expect(again.created[0]?.isSecretCaptured).toBe(true);
    await checkSubscriptionHealth();
    expect(await subscriptionGroups()).toEqual([expect.objectContaining({ key: "subscription:missing:pharmacy_order_created", state: "resolved" })]);
    expect((await listSigningSecrets()).some((secret) => secret.isActive && secret.subscriptionUid === newUid)).toBe(true);
    const sent = await emulator.send({ event_type: "pharmacy_order_created", subscription_uid: newUid, data: { uid: "po-health-1", status: "init" }, wait: true });
    const [delivery] = sent.ok ? sent.deliveries : [];
    expect((delivery ? await emulator.waitForDelivery(delivery.id) : undefined)?.status).toBe("delivered");
  });

  it("raises 'elsewhere' for a subscription delivering to another address and resolves it after Re-create", async () => {
    const original = uidOf("pharmacy_order_updated");
    emulator.deleteSubscription(original);
    const stray = emulator.subscribe({ notification_type: "pharmacy_order_updated", target: ELSEWHERE });
    await checkSubscriptionHealth();
    const open = (await subscriptionGroups()).filter((group) => group.state !== "resolved");
    expect(open).toEqual([expect.objectContaining({ key: "subscription:elsewhere:pharmacy_order_updated", evidence: expect.objectContaining({ subscriptionUid: stray.uid, listedTarget: ELSEWHERE, target }) })]);

    const recreated = await recreate(stray.uid, ORIGIN, null);
    expect(recreated.created[0]?.isSecretCaptured).toBe(true);
    await checkSubscriptionHealth();
    expect((await subscriptionGroups()).filter((group) => group.state !== "resolved")).toEqual([]);
  });

  it("raises 'secret unknown' for a subscription here whose secret RxWatch never captured", async () => {
    emulator.subscribe({ notification_type: "pharmacy_sku_stock_updated", target });
    await updateSettings("expectedSubscriptions", ["pharmacy_order_created", "pharmacy_order_updated", "pharmacy_sku_stock_updated"], null);
    await checkSubscriptionHealth();
    expect((await subscriptionGroups()).filter((group) => group.state !== "resolved").map((group) => group.key)).toEqual(["subscription:secret_unknown:pharmacy_sku_stock_updated"]);
  });

  it("records a failed listing without dropping what it knew, and forgets everything once RxScale is disconnected", async () => {
    await saveConnection({ settings: { environment: "custom", customBaseUrl: "http://127.0.0.1:9", webhookTargetUrl: target, trailingSlash: true, deleteUidPlacement: "path" } }, null, ORIGIN);
    const failed = await checkSubscriptionHealth();
    expect(failed?.error).toEqual(expect.any(String));
    expect(failed?.differences.map((difference) => difference.problem)).toEqual(["secret_unknown"]);
    await clearApiKey();
    expect(await checkSubscriptionHealth()).toBeNull();
    expect((await subscriptionGroups()).filter((group) => group.state !== "resolved")).toEqual([]);
  });
});

describe("quiet event types", () => {
  it("raises a silence incident naming a type busy in this hour of the week for four weeks that went quiet, and resolves it when one arrives", async () => {
    const client = createDb(process.env.DATABASE_URL ?? "");
    const now = new Date();
    const { baselineHours, hour } = quietWindows(now);
    for (const baselineHour of baselineHours) {
      for (let index = 0; index < 5; index++) await createWebhookEvent(client, { type: "quiet_probe_type", receivedAt: new Date(baselineHour * HOUR_MS + index * 60_000), status: "processed" });
    }
    // A type without a busy history stays out of it.
    await createWebhookEvent(client, { type: "rare_probe_type", receivedAt: new Date((baselineHours[0] ?? 0) * HOUR_MS) });
    const quiet = (await scanFailures(now)).groups.filter((group) => group.kind === "quiet_type");
    expect(quiet).toEqual([expect.objectContaining({ key: "quiet_type:quiet_probe_type", state: "open", evidence: { kind: "quiet_type", eventType: "quiet_probe_type", baseline: [5, 5, 5, 5], quietSince: new Date(hour * HOUR_MS).toISOString() } })]);

    await createWebhookEvent(client, { type: "quiet_probe_type", receivedAt: new Date((hour + 1) * HOUR_MS), status: "processed" });
    expect((await scanFailures(now)).groups.filter((group) => group.kind === "quiet_type").map((group) => group.state)).toEqual(["resolved"]);
  });
});
