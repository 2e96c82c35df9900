import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { PUT as putAlerts } from "@/app/api/alerts/route";
import { POST as postAlertTest } from "@/app/api/alerts/test/route";
import { GET as getAudit } from "@/app/api/audit/route";
import { GET as getAuditExport } from "@/app/api/audit/export/route";
import { POST as postReprocess } from "@/app/api/events/[id]/reprocess/route";
import { POST as postIncident } from "@/app/api/failures/[key]/route";
import { POST as postDriftExpected } from "@/app/api/event-catalogue/changes/[key]/expected/route";
import { DELETE as deleteMySessions } from "@/app/api/me/sessions/route";
import { POST as postAttention } from "@/app/api/orders/[uid]/attention/route";
import { POST as postQuarantineReprocess } from "@/app/api/deliveries/quarantine/reprocess/route";
import { POST as postReplay } from "@/app/api/replay/route";
import { POST as postReplayCancel } from "@/app/api/replay/[id]/cancel/route";
import { POST as postReplayStart } from "@/app/api/replay/[id]/start/route";
import { POST as postConnectionCheck } from "@/app/api/settings/connection/check/route";
import { PUT as putConnection } from "@/app/api/settings/connection/route";
import { PUT as putLocalSettings } from "@/app/api/settings/local/[key]/route";
import { POST as postSecretRetire } from "@/app/api/settings/signing-secrets/[id]/retire/route";
import { POST as postSecret } from "@/app/api/settings/signing-secrets/route";
import { POST as postRecreate } from "@/app/api/settings/subscriptions/[uid]/recreate/route";
import { DELETE as deleteSubscription } from "@/app/api/settings/subscriptions/[uid]/route";
import { POST as postSubscriptionTest } from "@/app/api/settings/subscriptions/[uid]/test/route";
import { POST as postSubscriptions } from "@/app/api/settings/subscriptions/route";
import { DELETE as deleteToken } from "@/app/api/tokens/[id]/route";
import { POST as postToken } from "@/app/api/tokens/route";
import { DELETE as deleteUserSessions } from "@/app/api/users/[id]/sessions/route";
import { POST as postPasswordResetLink } from "@/app/api/users/[id]/password-reset/route";
import { PATCH as patchUser } from "@/app/api/users/[id]/route";
import { POST as postUser } from "@/app/api/users/route";
import { auditEntryDtoSchema, auditPageDtoSchema, type AuditEntryDto } from "@/lib/audit";
import type { RunningEmulator } from "@/emulator/emulator";
import { auth } from "@/server/auth/auth";
import { createUser } from "@/server/auth/users";
import { findViewer } from "@/server/auth/viewer";
import { db } from "@/server/core/db";
import { scanFailures } from "@/server/failures/scan";
import { insertIncident } from "@/server/repositories/incidents";
import { upsertOrderRow } from "@/server/repositories/orders";
import { createWebhookEvent } from "../support/factories";
import { startTestEmulator, TEST_ADMIN_KEY } from "../support/emulator";
import { serveRoute } from "../support/route-server";
import { webhookRequest } from "../fixtures/rxscale-webhooks";

/*
 * Every state-changing API route leaves an audit entry. The cases below call
 * each one as a signed-in admin and look for the new entry; the first test
 * lists the route files and fails when one with POST/PUT/PATCH/DELETE has no case.
 */

const ORIGIN = "http://rxwatch.test";
const ROOT = path.resolve(__dirname, "../..");
/** Mutating routes that are not a person's action, with why. */
const NOT_AUDITED: Record<string, string> = {
  "app/api/auth/[...all]/route.ts": "better-auth; its sign-in and sign-out are audited by hooks (sign-in-lockout.test.ts)",
  "app/api/webhooks/rxscale/route.ts": "RxScale's deliveries, recorded in the deliveries list itself",
  "app/api/bench/noop/route.ts": "benchmark-only, off unless RXWATCH_BENCH_ROUTES=1",
};

/** Audited routes whose entries are asserted by the test that owns their setup (it needs deliveries, patients or a purge). */
const AUDITED_ELSEWHERE: Record<string, string> = {
  "app/api/deliveries/[id]/reveal/route.ts": "delivery.reveal with the reason: data-protection.test.ts",
  "app/api/deliveries/export/route.ts": "deliveries.export before the first row and at the end: data-protection.test.ts, deliveries.test.ts",
  "app/api/data-protection/forget-patient/route.ts": "patient.forget with the reason, without the uid: retention.test.ts",
  "app/api/data-protection/purge-runs/route.ts": "retention.purge with the admin as actor: retention.test.ts",
  "app/api/reconciliation/runs/route.ts": "reconciliation.run when the background run ends: reconciliation-api.test.ts",
  "app/api/reconciliation/runs/[id]/cancel/route.ts": "reconciliation.cancel with the run as target: reconciliation-api.test.ts",
  "app/api/reconciliation/runs/[id]/fill/route.ts": "reconciliation.fill when the background run ends: reconciliation-api.test.ts",
  "app/api/reconciliation/orders/[uid]/route.ts": "reconciliation.check per check, rate-limited: reconciliation-api.test.ts",
  "app/api/password-reset/route.ts": "user.password_reset with the user (who has no session) as actor: password-reset.test.ts",
};

type Handler = (request: Request, context: { params: Promise<never> }) => Promise<Response>;
interface Case {
  route: string;
  action: string;
  run: () => Promise<Response>;
}

let emulator: RunningEmulator;
let receiver: { url: string; close: () => Promise<void> };
let cookie = "";
let adminId = "";
const state = { subscriptionUid: "", secretId: "", tokenId: "", userId: "", replayId: "", endedCookie: "" };

function call(handler: unknown, method: string, url: string, params: Record<string, string> = {}, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const request = new Request(`${ORIGIN}${url}`, {
    method,
    headers: { cookie, origin: ORIGIN, host: "rxwatch.test", "x-rxwatch-peer-address": "198.51.100.9", "user-agent": "audit-test", ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (handler as Handler)(request, { params: Promise.resolve(params as never) });
}

async function signIn(email: string, password: string): Promise<string> {
  const response = await (await auth()).handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", origin: ORIGIN, host: "rxwatch.test" }, body: JSON.stringify({ email, password }) }),
  );
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

async function newestEntries(query = "limit=200"): Promise<AuditEntryDto[]> {
  const response = await call(getAudit, "GET", `/api/audit?${query}`);
  expect(response.status).toBe(200);
  return auditPageDtoSchema.parse(await response.json()).entries;
}

const CASES: Case[] = [
  {
    route: "app/api/settings/connection/route.ts",
    action: "connection.update",
    run: () =>
      call(putConnection, "PUT", "/api/settings/connection", {}, {
        settings: { environment: "custom", customBaseUrl: emulator.url, webhookTargetUrl: `${receiver.url}/api/webhooks/rxscale`, trailingSlash: true, deleteUidPlacement: "path" },
        apiKey: TEST_ADMIN_KEY,
      }),
  },
  { route: "app/api/settings/connection/check/route.ts", action: "connection.check", run: () => call(postConnectionCheck, "POST", "/api/settings/connection/check") },
  {
    route: "app/api/settings/subscriptions/route.ts",
    action: "subscription.create",
    run: async () => {
      const response = await call(postSubscriptions, "POST", "/api/settings/subscriptions", {}, { eventTypes: ["pharmacy_order_updated"] });
      state.subscriptionUid = ((await response.clone().json()) as { created: { uid: string }[] }).created[0]?.uid ?? "";
      return response;
    },
  },
  { route: "app/api/settings/subscriptions/[uid]/test/route.ts", action: "subscription.test", run: () => call(postSubscriptionTest, "POST", "/api/settings/subscriptions/x/test", { uid: state.subscriptionUid }) },
  {
    route: "app/api/settings/subscriptions/[uid]/recreate/route.ts",
    action: "subscription.recreate",
    run: async () => {
      const response = await call(postRecreate, "POST", "/api/settings/subscriptions/x/recreate", { uid: state.subscriptionUid });
      state.subscriptionUid = ((await response.clone().json()) as { created: { uid: string }[] }).created[0]?.uid ?? "";
      return response;
    },
  },
  { route: "app/api/settings/subscriptions/[uid]/route.ts", action: "subscription.delete", run: () => call(deleteSubscription, "DELETE", "/api/settings/subscriptions/x", { uid: state.subscriptionUid }) },
  {
    route: "app/api/settings/signing-secrets/route.ts",
    action: "signing_secret.add",
    run: async () => {
      const response = await call(postSecret, "POST", "/api/settings/signing-secrets", {}, { label: "pasted", secret: "whsec_pasted_for_the_audit_test_0123456789" });
      state.secretId = ((await response.clone().json()) as { id: string }).id;
      return response;
    },
  },
  { route: "app/api/settings/signing-secrets/[id]/retire/route.ts", action: "signing_secret.retire", run: () => call(postSecretRetire, "POST", "/api/settings/signing-secrets/x/retire", { id: state.secretId }) },
  {
    route: "app/api/settings/local/[key]/route.ts",
    action: "settings.update",
    run: () => call(putLocalSettings, "PUT", "/api/settings/local/eventNames", { key: "eventNames" }, { orderCreated: "order_created_v2" }),
  },
  {
    route: "app/api/alerts/route.ts",
    action: "alerts.configure",
    run: () =>
      call(putAlerts, "PUT", "/api/alerts", {}, {
        rules: {},
        channels: { webhookUrl: `${receiver.url}/alert-hook` },
      }),
  },
  { route: "app/api/alerts/test/route.ts", action: "alerts.test", run: () => call(postAlertTest, "POST", "/api/alerts/test") },
  {
    route: "app/api/events/[id]/reprocess/route.ts",
    action: "event.reprocess",
    run: async () => {
      const event = await createWebhookEvent(await db(), { status: "dead" });
      return call(postReprocess, "POST", "/api/events/x/reprocess", { id: event.id });
    },
  },
  {
    route: "app/api/failures/[key]/route.ts",
    action: "incident.update",
    run: async () => {
      await postWebhook(webhookRequest(JSON.stringify({ event_type: "order_created", timestamp: 1, payload_version: "1", data: {} }), { secret: "a secret RxWatch does not know" }));
      await scanFailures(new Date());
      return call(postIncident, "POST", "/api/failures/x", { key: "signature:bad_signature" }, { action: "acknowledge" });
    },
  },
  {
    route: "app/api/replay/route.ts",
    action: "replay.plan",
    run: async () => {
      await createWebhookEvent(await db(), { status: "dead" });
      const response = await call(postReplay, "POST", "/api/replay", {}, { filter: { statuses: ["dead"] } });
      state.replayId = ((await response.clone().json()) as { id: string }).id;
      return response;
    },
  },
  {
    route: "app/api/event-catalogue/changes/[key]/expected/route.ts",
    action: "drift.expected",
    run: async () => {
      const at = new Date();
      const evidence = { kind: "payload_drift", eventType: "order_updated", payloadVersion: "1", change: "new_field", path: "data.audit_field", typesBefore: [], typesNow: ["string"], nestedPaths: [], maskedExample: null, expected: null };
      await insertIncident({ key: "payload_drift:audit", kind: "payload_drift", state: "open", firstSeenAt: at, lastSeenAt: at, count: 1, openedAt: at, evidence: JSON.stringify(evidence) });
      return call(postDriftExpected, "POST", "/api/event-catalogue/changes/x/expected", { key: "payload_drift:audit" });
    },
  },
  {
    route: "app/api/orders/[uid]/attention/route.ts",
    action: "attention.claim",
    run: async () => {
      const at = new Date();
      await upsertOrderRow({ orderUid: "ord-audit-1", stage: "needs_attention", status: "out of stock", stageSince: at, firstEventAt: at, lastEventAt: at, entities: "[]", eventCount: 1 });
      return call(postAttention, "POST", "/api/orders/ord-audit-1/attention", { uid: "ord-audit-1" }, { action: "claim" });
    },
  },
  { route: "app/api/deliveries/quarantine/reprocess/route.ts", action: "quarantine.reprocess", run: () => call(postQuarantineReprocess, "POST", "/api/deliveries/quarantine/reprocess", {}, { dryRun: true }) },
  { route: "app/api/replay/[id]/cancel/route.ts", action: "replay.cancel", run: () => call(postReplayCancel, "POST", "/api/replay/x/cancel", { id: state.replayId }) },
  {
    route: "app/api/replay/[id]/start/route.ts",
    action: "replay.run",
    run: async () => {
      const planned = await call(postReplay, "POST", "/api/replay", {}, { filter: { statuses: ["dead"] } });
      return call(postReplayStart, "POST", "/api/replay/x/start", { id: ((await planned.json()) as { id: string }).id });
    },
  },
  {
    route: "app/api/tokens/route.ts",
    action: "token.create",
    run: async () => {
      const response = await call(postToken, "POST", "/api/tokens", {}, { name: "ci", role: "staff" });
      state.tokenId = ((await response.clone().json()) as { token: { id: string } }).token.id;
      return response;
    },
  },
  { route: "app/api/tokens/[id]/route.ts", action: "token.revoke", run: () => call(deleteToken, "DELETE", "/api/tokens/x", { id: state.tokenId }) },
  {
    route: "app/api/users/route.ts",
    action: "user.create",
    run: async () => {
      const response = await call(postUser, "POST", "/api/users", {}, { email: "new.hire@example.com", role: "staff", password: "a long enough passphrase" });
      state.userId = ((await response.clone().json()) as { id: string }).id;
      return response;
    },
  },
  { route: "app/api/users/[id]/route.ts", action: "user.update", run: () => call(patchUser, "PATCH", "/api/users/x", { id: state.userId }, { role: "support" }) },
  { route: "app/api/users/[id]/password-reset/route.ts", action: "user.password_reset_link", run: () => call(postPasswordResetLink, "POST", "/api/users/x/password-reset", { id: state.userId }) },
  { route: "app/api/users/[id]/sessions/route.ts", action: "auth.session_revoked", run: () => call(deleteUserSessions, "DELETE", "/api/users/x/sessions", { id: state.userId }) },
  {
    route: "app/api/me/sessions/route.ts",
    action: "auth.session_revoked",
    run: async () => {
      const response = await call(deleteMySessions, "DELETE", "/api/me/sessions");
      // That ended this session too; sign in again to read the log.
      state.endedCookie = cookie;
      cookie = await signIn("auditor@example.com", "an admin passphrase");
      return response;
    },
  },
];

function routeFiles(directory: string): string[] {
  return readdirSync(path.join(ROOT, directory)).flatMap((name) => {
    const relative = path.join(directory, name);
    if (statSync(path.join(ROOT, relative)).isDirectory()) return routeFiles(relative);
    return name === "route.ts" ? [relative.split(path.sep).join("/")] : [];
  });
}

beforeAll(async () => {
  receiver = await serveRoute(async (request) => (new URL(request.url).pathname === "/alert-hook" ? new Response("ok") : postWebhook(request)));
  emulator = await startTestEmulator();
  adminId = (await createUser({ email: "auditor@example.com", password: "an admin passphrase", role: "admin" })).id;
  cookie = await signIn("auditor@example.com", "an admin passphrase");
});

afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});

describe("every state-changing route is audited", () => {
  it("has a case for each route file with POST, PUT, PATCH or DELETE", () => {
    const mutating = routeFiles("app/api").filter((file) => /export const (POST|PUT|PATCH|DELETE)\b/.test(readFileSync(path.join(ROOT, file), "utf8")));
    const covered = new Set([...CASES.map((entry) => entry.route), ...Object.keys(NOT_AUDITED), ...Object.keys(AUDITED_ELSEWHERE)]);
    expect(mutating.filter((file) => !covered.has(file))).toEqual([]);
  });

  for (const entry of CASES) {
    it(`${entry.route} records ${entry.action}`, { timeout: 30_000 }, async () => {
      const before = new Set((await newestEntries()).map((row) => row.id));
      const response = await entry.run();
      expect(response.status, await response.clone().text()).toBeLessThan(300);
      const added = (await newestEntries()).filter((row) => !before.has(row.id) && row.action === entry.action);
      expect(added.length).toBeGreaterThanOrEqual(1);
      expect(added[0]).toMatchObject({ actorType: "user", actorId: adminId, actorLabel: "auditor@example.com", actorRole: "admin", sourceAddress: "198.51.100.9", userAgent: "audit-test" });
    });
  }

  it("records which settings fields changed, never their values", async () => {
    const [entry] = await newestEntries("action=settings.update");
    expect(entry).toMatchObject({ targetType: "settings", targetId: "eventNames", details: { changed: "orderCreated" } });
    const [connection] = await newestEntries("action=connection.update");
    expect(connection?.details).toMatchObject({ apiKey: "replaced" });
    expect(JSON.stringify(await newestEntries())).not.toContain(TEST_ADMIN_KEY);
    expect(JSON.stringify(await newestEntries())).not.toContain("whsec_pasted");
  });

  it("ended the admin's own session with sign-out everywhere, and a revoked cookie gets 401", async () => {
    expect(state.endedCookie).not.toBe("");
    expect(await findViewer(new Headers({ cookie: state.endedCookie }))).toBeNull();
    expect((await call(getAudit, "GET", "/api/audit", {}, undefined, { cookie: state.endedCookie })).status).toBe(401);
  });
});

describe("audit API", () => {
  it("filters by action, actor and outcome and pages by keyset without gaps or repeats", async () => {
    const all = await newestEntries("limit=200");
    const pages: AuditEntryDto[] = [];
    let cursor: string | null = null;
    do {
      const response = await call(getAudit, "GET", `/api/audit?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      const page = auditPageDtoSchema.parse(await response.json());
      pages.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor);
    // The listing itself is not audited, so the log did not grow while paging.
    expect(pages.map((entry) => entry.id)).toEqual(all.map((entry) => entry.id));
    expect((await newestEntries("action=user.create")).every((entry) => entry.action === "user.create")).toBe(true);
    expect((await newestEntries("actor=auditor@example.com")).length).toBeGreaterThan(10);
    expect((await newestEntries("actor=nobody@example.com")).length).toBe(0);
    // The start of an e-mail or token name is enough.
    const byPrefix = await newestEntries("actor=auditor");
    expect(byPrefix.length).toBeGreaterThan(10);
    expect(byPrefix.every((entry) => entry.actorLabel?.startsWith("auditor"))).toBe(true);
    expect((await newestEntries("outcome=failure")).every((entry) => entry.outcome === "failure")).toBe(true);
    expect((await newestEntries("from=2000-01-01&to=2000-01-02")).length).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    expect((await newestEntries(`from=${today}&to=${today}`)).length).toBe(all.length);
  });

  it("exports CSV and NDJSON streams and audits each export", async () => {
    const csv = await call(getAuditExport, "GET", "/api/audit/export?format=csv&action=user.create");
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("at,id,actor_type,actor_id,actor,actor_role,action,outcome,target_type,target_id,reason,details,source_address,user_agent");
    expect(lines.slice(1).every((line) => line.includes(",user.create,"))).toBe(true);
    const ndjson = await call(getAuditExport, "GET", "/api/audit/export?format=ndjson&max=2");
    const rows = (await ndjson.text()).trim().split("\n").map((line) => JSON.parse(line) as unknown);
    expect(rows).toHaveLength(3);
    expect(auditEntryDtoSchema.parse(rows[0]).action).toBe("audit.export");
    expect(rows[2]).toMatchObject({ truncated: true, rows: 2 });
    expect((await newestEntries("action=audit.export")).map((entry) => entry.details.format)).toEqual(["ndjson", "csv"]);
  });

  it("is for admins only", async () => {
    await createUser({ email: "helper@example.com", password: "a support passphrase", role: "support" });
    const supportCookie = await signIn("helper@example.com", "a support passphrase");
    expect((await call(getAudit, "GET", "/api/audit", {}, undefined, { cookie: supportCookie })).status).toBe(403);
    expect((await call(getAuditExport, "GET", "/api/audit/export", {}, undefined, { cookie: supportCookie })).status).toBe(403);
    expect((await call(getAudit, "GET", "/api/audit", {}, undefined, { cookie: "" })).status).toBe(401);
  });
});
