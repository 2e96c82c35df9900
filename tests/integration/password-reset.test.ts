import { describe, expect, it } from "vitest";
import { POST as postPasswordReset } from "@/app/api/password-reset/route";
import { POST as postPasswordResetLink } from "@/app/api/users/[id]/password-reset/route";
import { GET as getUsers } from "@/app/api/users/route";
import { passwordResetLinkDtoSchema, userDtoSchema } from "@/lib/accounts";
import { auth } from "@/server/auth/auth";
import { PASSWORD_RESET_LINK_TTL_MS } from "@/server/auth/password-reset";
import { createUser } from "@/server/auth/users";
import { findViewer } from "@/server/auth/viewer";
import { listAuditEntries } from "@/server/audit/audit-entries";

const ORIGIN = "http://rxwatch.test";

let nextAddress = 1;

async function signIn(email: string, password: string): Promise<Response> {
  // better-auth is called directly, so the client address the auth route would set is set by hand (one per sign-in: no rate limit).
  const address = `10.0.1.${nextAddress++}`;
  return (await auth()).handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, host: "rxwatch.test", "x-rxwatch-peer-address": address, "x-rxwatch-client-address": address },
      body: JSON.stringify({ email, password }),
    }),
  );
}

function cookieOf(response: Response): string {
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

function callAs(cookie: string, handler: unknown, url: string, params: Record<string, string> = {}, body?: unknown): Promise<Response> {
  const request = new Request(`${ORIGIN}${url}`, {
    method: "POST",
    headers: { cookie, origin: ORIGIN, host: "rxwatch.test", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (handler as (request: Request, context: { params: Promise<never> }) => Promise<Response>)(request, { params: Promise.resolve(params as never) });
}

function resetWith(token: string, password: string, origin = ORIGIN): Promise<Response> {
  return postPasswordReset(new Request(`${ORIGIN}/api/password-reset`, { method: "POST", headers: { origin, host: "rxwatch.test", "content-type": "application/json" }, body: JSON.stringify({ token, password }) }));
}

async function setUp(suffix: string) {
  await createUser({ email: `boss-${suffix}@example.com`, password: "an admin passphrase", role: "admin" });
  const user = await createUser({ email: `forgetful-${suffix}@example.com`, password: "the old passphrase", role: "staff" });
  const admin = cookieOf(await signIn(`boss-${suffix}@example.com`, "an admin passphrase"));
  const response = await callAs(admin, postPasswordResetLink, `/api/users/${user.id}/password-reset`, { id: user.id }, {});
  expect(response.status).toBe(201);
  const link = passwordResetLinkDtoSchema.parse(await response.json());
  return { user, admin, link, token: link.path.split("#")[1] ?? "" };
}

describe("password reset by one-time link", () => {
  it("sets the chosen password once, ends the user's sessions, keeps the old password until then, and is audited without the password", async () => {
    const { user, link, token } = await setUp("a");
    expect(link.path).toMatch(/^\/reset-password#[\w-]{43}$/);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(PASSWORD_RESET_LINK_TTL_MS);
    const oldSession = cookieOf(await signIn(user.email, "the old passphrase"));
    expect(await findViewer(new Headers({ cookie: oldSession }))).not.toBeNull();

    expect((await resetWith(token, "a brand new passphrase")).status).toBe(204);
    expect(await findViewer(new Headers({ cookie: oldSession }))).toBeNull();
    expect((await signIn(user.email, "the old passphrase")).status).toBe(401);
    expect((await signIn(user.email, "a brand new passphrase")).status).toBe(200);

    const again = await resetWith(token, "yet another passphrase");
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/used already/);

    const entries = (await listAuditEntries({ limit: 50, actor: undefined, cursor: undefined })).entries.filter((entry) => entry.targetId === user.id);
    expect(entries.map((entry) => entry.action)).toEqual(expect.arrayContaining(["user.password_reset_link", "user.password_reset"]));
    expect(JSON.stringify(entries)).not.toContain("brand new passphrase");
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it("refuses a weak password with the reason and leaves the link usable", async () => {
    const { user, token } = await setUp("b");
    const weak = await resetWith(token, "short");
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as { error: { message: string } }).error.message).toMatch(/at least 12/);
    expect((await resetWith(token, "a strong enough passphrase")).status).toBe(204);
    expect((await signIn(user.email, "a strong enough passphrase")).status).toBe(200);
  });

  it("a newer link replaces the older one; made-up tokens and other sites are refused with 4xx", async () => {
    const { user, admin, token: older } = await setUp("c");
    const newer = passwordResetLinkDtoSchema.parse(await (await callAs(admin, postPasswordResetLink, `/api/users/${user.id}/password-reset`, { id: user.id }, {})).json()).path.split("#")[1] ?? "";
    expect((await resetWith(older, "a fresh passphrase one")).status).toBe(400);
    expect((await resetWith("made-up", "a fresh passphrase one")).status).toBe(400);
    expect((await resetWith(newer, "a fresh passphrase one", "https://evil.example")).status).toBe(403);
    expect((await resetWith(newer, "a fresh passphrase one")).status).toBe(204);
  });

  it("shows each user's last sign-in", async () => {
    const { admin, user } = await setUp("d");
    const before = userDtoSchema.array().parse(await (await getUsers(new Request(`${ORIGIN}/api/users`, { headers: { cookie: admin } }), { params: Promise.resolve({}) })).json());
    expect(before.find((row) => row.id === user.id)?.lastSignInAt).toBeNull();
    const signedInAt = Date.now();
    await signIn(user.email, "the old passphrase");
    const after = userDtoSchema.array().parse(await (await getUsers(new Request(`${ORIGIN}/api/users`, { headers: { cookie: admin } }), { params: Promise.resolve({}) })).json());
    expect(Date.parse(after.find((row) => row.id === user.id)?.lastSignInAt ?? "")).toBeGreaterThanOrEqual(signedInAt - 1_000);
  });
});
