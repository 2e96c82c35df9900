import { afterEach, describe, expect, it, vi } from "vitest";
import { auth } from "@/server/auth/auth";
import { createUser } from "@/server/auth/users";
import { findViewer } from "@/server/auth/viewer";
import { signInClock, UNKNOWN_ACCOUNT_LABEL } from "@/server/auth/sign-in";
import { auditQuerySchema } from "@/lib/audit";
import { listAuditEntries } from "@/server/audit/audit-entries";

const ORIGIN = "http://rxwatch.test";
const T0 = new Date("2026-03-01T10:00:00Z");
let clock = T0;

async function signIn(email: string, password: string): Promise<Response> {
  const address = `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  return (await auth()).handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      // A fresh address each time: this tests the per-account lock, not better-auth's per-address rate limit.
      // better-auth is called directly here, so the header the auth route would set is set by hand.
      headers: { "content-type": "application/json", origin: ORIGIN, host: "rxwatch.test", "x-rxwatch-peer-address": address, "x-rxwatch-client-address": address, "user-agent": "lockout-test" },
      body: JSON.stringify({ email, password }),
    }),
  );
}

function advance(seconds: number) {
  clock = new Date(clock.getTime() + seconds * 1000);
}

async function entries(action: string) {
  return (await listAuditEntries(auditQuerySchema.parse({ action, limit: 200 }))).entries;
}

vi.spyOn(signInClock, "now").mockImplementation(() => clock);
afterEach(() => {
  clock = T0;
});

describe("sign-in lockout with back-off", () => {
  it("locks an account after five wrong passwords, refuses even the right one while locked, and says when to retry", async () => {
    await createUser({ email: "lock@example.com", password: "the right passphrase", role: "staff" });
    for (let i = 0; i < 5; i += 1) expect((await signIn("lock@example.com", "a wrong passphrase")).status).toBe(401);
    const refused = await signIn("lock@example.com", "the right passphrase");
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { code: string; message: string };
    expect(body.code).toBe("SIGN_IN_LOCKED");
    expect(body.message).toBe("Too many failed sign-ins for this email. Try again in 1 minute (after 10:01 UTC).");
    advance(61);
    expect((await signIn("lock@example.com", "the right passphrase")).status).toBe(200);
  });

  it("doubles the lock for each failure after a lock and starts over after a success", async () => {
    await createUser({ email: "back@example.com", password: "the right passphrase", role: "staff" });
    for (let i = 0; i < 5; i += 1) await signIn("back@example.com", "a wrong passphrase");
    advance(61);
    expect((await signIn("back@example.com", "a wrong passphrase")).status).toBe(401);
    // Locked for two minutes now.
    advance(119);
    expect((await signIn("back@example.com", "the right passphrase")).status).toBe(429);
    advance(2);
    expect((await signIn("back@example.com", "the right passphrase")).status).toBe(200);
    // The success reset the count: four failures do not lock.
    for (let i = 0; i < 4; i += 1) await signIn("back@example.com", "a wrong passphrase");
    expect((await signIn("back@example.com", "the right passphrase")).status).toBe(200);
  });

  it("answers an unknown email exactly like a known one", async () => {
    await createUser({ email: "known@example.com", password: "the right passphrase", role: "staff" });
    const answers = async (email: string) => {
      const statuses: number[] = [];
      const bodies: unknown[] = [];
      for (let i = 0; i < 6; i += 1) {
        const response = await signIn(email, "a wrong passphrase");
        statuses.push(response.status);
        bodies.push(await response.json());
      }
      return { statuses, bodies };
    };
    const known = await answers("known@example.com");
    const unknown = await answers("nobody@example.com");
    expect(known.statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(unknown).toEqual(known);
  });

  it("audits successes, failures, the lock and refusals, without storing emails of non-users", async () => {
    const user = await createUser({ email: "audit@example.com", password: "the right passphrase", role: "support" });
    expect((await signIn("audit@example.com", "the right passphrase")).status).toBe(200);
    for (let i = 0; i < 5; i += 1) await signIn("audit@example.com", "a wrong passphrase");
    await signIn("audit@example.com", "the right passphrase");
    await signIn("  Stranger@Example.com ", "a wrong passphrase");

    const signIns = await entries("auth.sign_in");
    const success = signIns.find((entry) => entry.outcome === "success" && entry.actorId === user.id);
    expect(success).toMatchObject({ actorType: "user", actorLabel: "audit@example.com", actorRole: "support", userAgent: "lockout-test" });
    expect(success?.sourceAddress).toMatch(/^10\.1\./);
    const failures = signIns.filter((entry) => entry.outcome === "failure" && entry.targetId === user.id);
    expect(failures).toHaveLength(5);
    expect(failures[0]).toMatchObject({ actorType: "anonymous", actorLabel: "audit@example.com", details: { reason: "INVALID_EMAIL_OR_PASSWORD" } });
    expect(signIns.filter((entry) => entry.outcome === "denied" && entry.targetId === user.id)).toHaveLength(1);
    expect((await entries("auth.locked_out")).filter((entry) => entry.targetId === user.id)).toEqual([expect.objectContaining({ actorType: "system", details: expect.objectContaining({ failures: 5 }) })]);

    const stranger = signIns.filter((entry) => entry.actorLabel === UNKNOWN_ACCOUNT_LABEL && entry.details.emailKey === signIns[0]?.details.emailKey);
    expect(signIns[0]?.actorLabel).toBe(UNKNOWN_ACCOUNT_LABEL);
    expect(stranger).toHaveLength(1);
    expect(stranger[0]?.details.emailKey).toMatch(/^ek1:/);
    expect(JSON.stringify(await listAuditEntries(auditQuerySchema.parse({ limit: 200 })))).not.toMatch(/stranger/i);
  });

  it("audits a sign-out with the user who signed out", async () => {
    const user = await createUser({ email: "out@example.com", password: "the right passphrase", role: "staff" });
    const cookie = ((await signIn("out@example.com", "the right passphrase")).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const response = await (await auth()).handler(new Request(`${ORIGIN}/api/auth/sign-out`, { method: "POST", headers: { cookie, origin: ORIGIN, host: "rxwatch.test", "content-type": "application/json" }, body: "{}" }));
    expect(response.status).toBe(200);
    expect(await findViewer(new Headers({ cookie }))).toBeNull();
    expect(await entries("auth.sign_out")).toEqual([expect.objectContaining({ actorId: user.id, actorLabel: "out@example.com" })]);
  });
});
