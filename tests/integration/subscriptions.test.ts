import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { checkConnection, getSubscriptionsView, recreate, saveConnection, sendTestEvent, subscribe, unsubscribe } from "@/server/subscriptions/service";
import { apiKeyStatus } from "@/server/subscriptions/api-key";
import { listSigningSecrets, addSigningSecret } from "@/server/signing-secrets/signing-secrets";
import { findSettingRow } from "@/server/repositories/settings";
import { startTestEmulator, TEST_ADMIN_KEY, TEST_READ_ONLY_KEY } from "../support/emulator";
import { serveRoute } from "../support/route-server";
import type { RunningEmulator } from "@/emulator/emulator";
import { createInboxWorker } from "@/server/processing/worker";
import { createDb } from "@/server/core/db";
import { webhookRequest } from "../fixtures/rxscale-webhooks";

let emulator: RunningEmulator;
let receiver: { url: string; close: () => Promise<void> };
let target = "";
const ORIGIN = "http://rxwatch.test";

async function connect(apiKey: string, returnSecret = true) {
  await saveConnection(
    { settings: { environment: "custom", customBaseUrl: emulator.url, webhookTargetUrl: target, trailingSlash: true, deleteUidPlacement: "path" }, apiKey },
    null,
    ORIGIN,
  );
  return returnSecret;
}

beforeAll(async () => {
  receiver = await serveRoute((request) => postWebhook(request));
  target = `${receiver.url}/api/webhooks/rxscale`;
  emulator = await startTestEmulator();
  await connect(TEST_ADMIN_KEY);
});

afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});

describe("connection", () => {
  it("stores the API key sealed, shows only its end, and never the key itself", async () => {
    const status = await apiKeyStatus();
    expect(status).toMatchObject({ isSet: true, hint: `…${TEST_ADMIN_KEY.slice(-4)}`, isReadable: true });
    const row = await findSettingRow("rxscale.apiKey");
    expect(row?.value).not.toContain(TEST_ADMIN_KEY);
  });

  it("checks the connection through health and a subscription list", async () => {
    expect(await checkConnection()).toMatchObject({ ok: true, canRead: true });
  });
});

describe("subscriptions", () => {
  it("subscribes to the pharmacy events, capturing each signing secret, and shows them as this RxWatch's", async () => {
    const result = await subscribe(["pharmacy_order_created", "pharmacy_order_updated"], ORIGIN, null);
    expect(result.failed).toEqual([]);
    expect(result.created.map((created) => created.isSecretCaptured)).toEqual([true, true]);
    const view = await getSubscriptionsView(ORIGIN);
    expect(view.rows.filter((row) => row.isTargetThisRxWatch && row.hasSigningSecret).map((row) => row.eventType).sort()).toEqual(["pharmacy_order_created", "pharmacy_order_updated"]);
    expect(view.missing).toEqual([]);
    const secrets = await listSigningSecrets();
    expect(secrets.filter((secret) => secret.isActive)).toHaveLength(2);
  });

  it("sends a test event and sees it arrive verified", async () => {
    const view = await getSubscriptionsView(ORIGIN);
    const row = view.rows.find((candidate) => candidate.eventType === "pharmacy_order_updated");
    if (!row) throw new Error("no subscription");
    const result = await sendTestEvent(row.uid, { waitMs: 10_000 });
    expect(result).toMatchObject({ result: "passed", deliveryId: expect.any(String) });
    // A test delivery is processed as such: no order appears and nothing is dead-lettered.
    const worker = createInboxWorker({ concurrency: 1, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 2, backoff: { baseMs: 10, maxMs: 100 } });
    await worker.drain();
    const client = createDb(process.env.DATABASE_URL ?? "");
    expect(await client.webhookEvent.count({ where: { status: { not: "processed" } } })).toBe(0);
    expect(await client.order.count()).toBe(0);
  });

  it("reports a signature mismatch when RxWatch lacks the subscription's secret", async () => {
    const other = await emulator.subscribe({ notification_type: "pharmacy_sku_stock_updated", target });
    const result = await sendTestEvent(other.uid, { waitMs: 10_000 });
    expect(result.result).toBe("signature_mismatch");
    // Pasting the secret (the create answer of the real API may omit it) fixes it.
    await addSigningSecret({ label: "pasted", secret: other.signing_secret, subscriptionUid: other.uid });
    expect((await sendTestEvent(other.uid, { waitMs: 10_000 })).result).toBe("passed");
  });

  it("reports a test delivery that never arrives", async () => {
    const lost = await emulator.subscribe({ notification_type: "pharmacy_order_created", target: "http://127.0.0.1:9/api/webhooks/rxscale" });
    const result = await sendTestEvent(lost.uid, { waitMs: 1_500 });
    expect(result.result).toBe("not_received");
    const view = await getSubscriptionsView(ORIGIN);
    expect(view.unexpected).toContain(lost.uid);
  });

  it("does not pass on ordinary deliveries of the type while the test delivery itself is lost, and passes once it arrives", async () => {
    const eventType = "patient_doctor_meeting_updated";
    const trap = await emulator.subscribe({ notification_type: eventType, target });
    await addSigningSecret({ label: "trap", secret: trap.signing_secret, subscriptionUid: trap.uid });
    emulator.setDrops({ eventType });
    let isSending = true;
    let sent = 0;
    // Regular traffic of the same type keeps arriving from elsewhere, correctly signed, all through the wait.
    const traffic = (async () => {
      while (isSending) {
        sent += 1;
        const body = JSON.stringify({ event_type: eventType, timestamp: 1_800_000_000 + sent, payload_version: "1", data: { uid: `mtg-trap-${sent}`, status: "completed" } });
        expect((await postWebhook(webhookRequest(body, { secret: trap.signing_secret, headers: { "x-webhook-event": eventType } }))).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      const result = await sendTestEvent(trap.uid, { waitMs: 2_500 });
      expect(sent).toBeGreaterThan(3);
      expect(result.result).toBe("not_received");
    } finally {
      isSending = false;
      await traffic;
      emulator.setDrops({ eventType: null });
    }
    expect((await sendTestEvent(trap.uid, { waitMs: 10_000 })).result).toBe("passed");
    await unsubscribe(trap.uid, ORIGIN, null);
  });

  it("recreates a subscription with a new uid and unsubscribes, updating what is expected", async () => {
    const before = (await getSubscriptionsView(ORIGIN)).rows.find((row) => row.eventType === "pharmacy_order_created" && row.isTargetThisRxWatch);
    if (!before) throw new Error("no subscription");
    const recreated = await recreate(before.uid, ORIGIN, null);
    expect(recreated.created[0]?.uid).not.toBe(before.uid);
    await unsubscribe(recreated.created[0]?.uid ?? "", ORIGIN, null);
    expect((await getSubscriptionsView(ORIGIN)).missing).not.toContain("pharmacy_order_created");
  });

  it("answers an unsubscribe of a uid RxScale does not list with not found, and deletes nothing", async () => {
    const before = (await getSubscriptionsView(ORIGIN)).rows.map((row) => row.uid).sort();
    for (const uid of ["../../etc", "no-such-subscription"]) {
      await expect(unsubscribe(uid, ORIGIN, null)).rejects.toMatchObject({ code: "not_found" });
    }
    expect((await getSubscriptionsView(ORIGIN)).rows.map((row) => row.uid).sort()).toEqual(before);
  });

  it("turns RxScale's refusals into errors an admin can act on", async () => {
    await connect(TEST_READ_ONLY_KEY);
    const result = await subscribe(["pharmacy_order_updated"], ORIGIN, null);
    expect(result.created).toEqual([]);
    expect(result.failed[0]?.message).toMatch(/notification_subscription:write/);
    await connect(TEST_ADMIN_KEY);
  });
});
