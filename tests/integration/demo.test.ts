import { stat, readFile } from "node:fs/promises";
import { checkSubscriptionHealth } from "@/server/subscriptions/health";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/lib/subscriptions";
import { auth } from "@/server/auth/auth";
import { listUsers } from "@/server/auth/users";
import { createDb } from "@/server/core/db";
import { DEMO_ADMIN_EMAIL, demoPasswordFile } from "@/server/demo/admin";
import { demoBanner, demoSignInHint, endStoredDemo, startDemoMode, startDemoModeIfEnabled, type DemoModeOptions, type DemoRun } from "@/server/demo/demo-mode";
import { listSigningSecrets } from "@/server/signing-secrets/signing-secrets";
import { getSettings } from "@/server/settings/settings";
import { apiKeyStatus } from "@/server/subscriptions/api-key";
import { isDemoActive } from "@/server/subscriptions/demo-state";
import { saveConnection } from "@/server/subscriptions/service";
import { serveRoute } from "../support/route-server";
import { testProvider } from "../support/test-database";

const GENERATED_TYPES = ["order_created", "order_updated", "prescription_approved", "prescription_signed", "prescription_declined", "pharmacy_order_created", "pharmacy_order_updated"];
const SUBSCRIBED_TYPES = [...new Set([...SUBSCRIBABLE_EVENT_TYPES, ...GENERATED_TYPES])].sort();

let route: { url: string; close: () => Promise<void> };
let target = "";
const runs: DemoRun[] = [];
const printed: string[] = [];
const database = createDb(process.env.DATABASE_URL ?? "");

/**
 * Fast traffic against the in-process route, quiet, and a watch quick enough
 * to observe. No test delivery on create: it carries its subscription's event
 * type, so it would pass for generated traffic in the assertions.
 */
function demoOptions(overrides: Partial<DemoModeOptions> = {}): DemoModeOptions {
  return {
    webhookTargetUrl: target,
    origin: route.url,
    print: (text) => printed.push(text),
    watchIntervalMs: 100,
    emulator: { port: 0, ordersPerMinute: 600, stepDelayMs: 20, retryBaseMs: 20, retryMaxDelayMs: 200, deliveryTimeoutMs: 2_000, testOnCreate: false, shutdownGraceMs: 200, logLevel: "silent", log: () => {} },
    ...overrides,
  };
}

async function start(overrides: Partial<DemoModeOptions> = {}): Promise<DemoRun> {
  const run = await startDemoMode(demoOptions(overrides));
  runs.push(run);
  return run;
}

/** Event types of accepted deliveries since `since` that a secret in `secretIds` verified. */
async function acceptedTypes(since: Date, secretIds: string[]): Promise<Set<string>> {
  const rows = await database.delivery.findMany({ where: { outcome: "accepted", receivedAt: { gte: since }, matchedSecretId: { in: secretIds } }, select: { eventTypeHeader: true } });
  return new Set(rows.map((row) => row.eventTypeHeader ?? ""));
}

async function activeSecretIdsFor(run: DemoRun): Promise<string[]> {
  const uids = new Set(run.emulator.subscriptions().map((subscription) => subscription.uid));
  return (await listSigningSecrets()).filter((secret) => secret.isActive && secret.subscriptionUid !== null && uids.has(secret.subscriptionUid)).map((secret) => secret.id);
}

async function signIn(email: string, password: string): Promise<number> {
  const response = await (
    await auth()
  ).handler(
    new Request("http://rxwatch.test/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://rxwatch.test", host: "rxwatch.test", "x-rxwatch-peer-address": "10.0.0.7", "x-rxwatch-client-address": "10.0.0.7" },
      body: JSON.stringify({ email, password }),
    }),
  );
  return response.status;
}

beforeAll(async () => {
  route = await serveRoute((request) => postWebhook(request));
  target = `${route.url}/api/webhooks/rxscale`;
});

afterEach(async () => {
  for (const run of runs.splice(0)) await run.stop();
});

afterAll(async () => {
  await route.close();
  await database.$disconnect();
});

describe("demo mode", () => {
  it("does not start on its own under NODE_ENV=test", async () => {
    expect(await startDemoModeIfEnabled()).toEqual({ isOn: false, isDemoAdminCreated: false });
    expect(await isDemoActive()).toBe(false);
    expect(await demoBanner()).toBeNull();
    expect(await demoSignInHint()).toBeNull();
  });

  it("creates the demo admin once, with a random password that signs in and, on SQLite, a 0600 file beside the database", async () => {
    const run = await start({ isInteractive: true });
    expect(run.admin.kind).toBe("created");
    if (run.admin.kind !== "created") return;
    const { password } = run.admin;
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(printed.join("\n")).toContain(password);
    expect(printed.join("\n")).toContain(DEMO_ADMIN_EMAIL);
    expect(await signIn(DEMO_ADMIN_EMAIL, password)).toBe(200);

    const file = demoPasswordFile(process.env.DATABASE_URL ?? "");
    if (testProvider() === "sqlite") {
      if (file === null) throw new Error("SQLite has a password file");
      expect(run.admin.passwordFile).toBe(file);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await readFile(file, "utf8")).trim()).toBe(password);
    } else {
      expect(file).toBeNull();
      expect(run.admin.passwordFile).toBeNull();
    }
    await run.subscribed;
    await run.stop();

    printed.length = 0;
    const again = await start();
    await again.subscribed;
    expect(again.admin.kind).toBe("exists");
    expect(printed.join("\n")).not.toContain(password);
    if (testProvider() === "sqlite") expect(printed.join("\n")).toContain("demo-admin-password.txt");
    expect((await listUsers()).map((user) => user.email)).toEqual([DEMO_ADMIN_EMAIL]);
    expect(await signIn(DEMO_ADMIN_EMAIL, password)).toBe(200);
  });

  it("prints the new demo admin's password only to a terminal; otherwise the output names the 0600 file that holds it", async () => {
    await database.session.deleteMany();
    await database.account.deleteMany();
    await database.user.deleteMany();
    printed.length = 0;
    const run = await start({ isInteractive: false });
    expect(run.admin.kind).toBe("created");
    if (run.admin.kind !== "created") return;
    const output = printed.join("\n");
    expect(output).not.toContain(run.admin.password);
    expect(output).toContain(DEMO_ADMIN_EMAIL);
    if (testProvider() === "sqlite") {
      expect(output).toMatch(/demo-admin-password\.txt \(mode 0600/);
      expect((await readFile(run.admin.passwordFile ?? "", "utf8")).trim()).toBe(run.admin.password);
    } else {
      expect(output).toContain("user add");
    }
  });

  it("starts the emulator, subscribes this RxWatch to every generated event type with captured secrets, and its traffic is accepted", async () => {
    const startedAt = new Date();
    const run = await start();
    expect(await isDemoActive()).toBe(true);
    expect(await demoBanner()).toEqual({ emulatorUrl: run.emulatorUrl });
    // The sign-in page names the file that holds the demo admin's password (SQLite), or says it was printed.
    expect(await demoSignInHint()).toEqual({ email: DEMO_ADMIN_EMAIL, passwordFile: testProvider() === "sqlite" ? expect.stringMatching(/demo-admin-password\.txt$/) : null });
    expect(await getSettings("connection")).toMatchObject({ environment: "custom", customBaseUrl: run.emulatorUrl, webhookTargetUrl: target });
    expect(await apiKeyStatus()).toMatchObject({ isSet: true, isReadable: true });

    const result = await run.subscribed;
    expect(result?.failed).toEqual([]);
    expect(result?.created.every((created) => created.isSecretCaptured)).toBe(true);
    const subscriptions = run.emulator.subscriptions();
    expect(subscriptions.map((subscription) => subscription.notification_type).sort()).toEqual(SUBSCRIBED_TYPES);
    expect(subscriptions.every((subscription) => subscription.target === target)).toBe(true);
    const secretIds = await activeSecretIdsFor(run);
    expect(secretIds).toHaveLength(SUBSCRIBED_TYPES.length);
    // The subscription health check finds the demo's subscriptions as RxWatch needs them: no false incident.
    expect(await checkSubscriptionHealth()).toMatchObject({ differences: [], error: null });

    await vi.waitFor(
      async () => {
        expect([...(await acceptedTypes(startedAt, secretIds))].sort()).toEqual(expect.arrayContaining(GENERATED_TYPES));
      },
      { timeout: 20_000, interval: 200 },
    );
  });

  it("on a later start retires the previous demo's signing secrets and delivers again with new ones", async () => {
    const first = await start();
    await first.subscribed;
    const firstSecretIds = await activeSecretIdsFor(first);
    expect(firstSecretIds).toHaveLength(SUBSCRIBED_TYPES.length);
    await first.stop();

    const startedAt = new Date();
    const second = await start();
    await second.subscribed;
    const secrets = await listSigningSecrets();
    expect(secrets.filter((secret) => firstSecretIds.includes(secret.id)).every((secret) => !secret.isActive)).toBe(true);
    const secondSecretIds = await activeSecretIdsFor(second);
    expect(secondSecretIds).toHaveLength(SUBSCRIBED_TYPES.length);
    expect(secrets.filter((secret) => secret.isActive).map((secret) => secret.id).sort()).toEqual([...secondSecretIds].sort());

    await vi.waitFor(
      async () => {
        expect((await acceptedTypes(startedAt, secondSecretIds)).has("pharmacy_order_updated")).toBe(true);
      },
      { timeout: 20_000, interval: 200 },
    );
  });

  it("falls back to a free port when the emulator's port is taken", async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address: AddressInfo | string | null = blocker.address();
    if (address === null || typeof address === "string") throw new Error("blocker is not on a TCP port");
    try {
      const run = await start({ emulator: { ...demoOptions().emulator, port: address.port } });
      expect(run.emulator.port).not.toBe(address.port);
      expect(await getSettings("connection")).toMatchObject({ customBaseUrl: run.emulatorUrl });
      await run.subscribed;
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("ends when a real API key is saved: the emulator stops and its secrets are retired", async () => {
    const run = await start();
    await run.subscribed;
    const secretIds = await activeSecretIdsFor(run);
    await saveConnection({ settings: { environment: "production", customBaseUrl: null, webhookTargetUrl: null, trailingSlash: true, deleteUidPlacement: "path" }, apiKey: "real-rxscale-api-key-0001" }, null, route.url);
    expect(await isDemoActive()).toBe(false);
    expect(await demoBanner()).toBeNull();

    await vi.waitFor(
      async () => {
        await expect(fetch(`${run.emulatorUrl}/v1/management/health/`)).rejects.toThrow();
        const retired = (await listSigningSecrets()).filter((secret) => secretIds.includes(secret.id));
        expect(retired.every((secret) => !secret.isActive)).toBe(true);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(await apiKeyStatus()).toMatchObject({ isSet: true, hint: "…0001" });
  });

  it("with RXWATCH_DEMO=0 after a demo, removes the demo's key, secrets and emulator connection", async () => {
    const run = await start();
    await run.subscribed;
    const secretIds = await activeSecretIdsFor(run);
    await run.stop();

    await endStoredDemo();
    expect(await isDemoActive()).toBe(false);
    expect((await apiKeyStatus()).isSet).toBe(false);
    expect(await getSettings("connection")).toMatchObject({ environment: "production", customBaseUrl: null, webhookTargetUrl: null });
    expect((await listSigningSecrets()).filter((secret) => secretIds.includes(secret.id) && secret.isActive)).toEqual([]);
  });
});

describe("demo mode and reconciliation", () => {
  it("loses a small share of its events and runs a first reconciliation soon after traffic starts, which finds them", { timeout: 60_000 }, async () => {
    const run = await start({ reconcileAfterMs: 1_500 });
    await run.subscribed;
    const found = await vi.waitFor(
      async () => {
        const sweep = await database.reconciliationRun.findFirst({ where: { trigger: "timer", state: { not: "running" } } });
        if (!sweep) throw new Error("no reconciliation run yet");
        return sweep;
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(found).toMatchObject({ state: "completed", error: null });
    expect(found.missing + found.behind).toBeGreaterThan(0);
    expect(run.emulator.state().drops.rate).toBeGreaterThan(0);
  });
});
