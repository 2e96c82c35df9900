import { describe, expect, it } from "vitest";
import { auth } from "@/server/auth/auth";
import { createUser, updateUser } from "@/server/auth/users";
import { createApiToken, revokeApiToken } from "@/server/auth/tokens";
import { findViewer } from "@/server/auth/viewer";
import { GET as getUsers, POST as postUser } from "@/app/api/users/route";

const ORIGIN = "http://rxwatch.test";

async function signIn(email: string, password: string): Promise<Response> {
  // better-auth is called directly, so the client address the auth route would set is set by hand.
  const address = `10.0.0.${Math.floor(Math.random() * 200)}`;
  return (await auth()).handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, host: "rxwatch.test", "x-rxwatch-peer-address": address, "x-rxwatch-client-address": address },
      body: JSON.stringify({ email, password }),
    }),
  );
}

function sessionCookie(response: Response): string {
  const cookie = response.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0] ?? "";
}

describe("sign-in and roles", () => {
  it("signs in with the right password and resolves the viewer's role from the session", async () => {
    await createUser({ email: "ann@example.com", password: "a fine passphrase", role: "support" });
    const response = await signIn("ann@example.com", "a fine passphrase");
    expect(response.status).toBe(200);
    const viewer = await findViewer(new Headers({ cookie: sessionCookie(response) }));
    expect(viewer).toMatchObject({ via: "session", role: "support", email: "ann@example.com" });
  });

  it("refuses a wrong password", async () => {
    await createUser({ email: "bob@example.com", password: "another passphrase", role: "staff" });
    expect((await signIn("bob@example.com", "wrong passphrase")).status).toBe(401);
  });

  it("refuses a disabled user and ends their existing sessions", async () => {
    const user = await createUser({ email: "cid@example.com", password: "third passphrase", role: "staff" });
    const cookie = sessionCookie(await signIn("cid@example.com", "third passphrase"));
    expect(await findViewer(new Headers({ cookie }))).not.toBeNull();
    await createUser({ email: "root@example.com", password: "admin passphrase", role: "admin" });
    await updateUser(user.id, { disabled: true });
    expect(await findViewer(new Headers({ cookie }))).toBeNull();
    expect((await signIn("cid@example.com", "third passphrase")).status).toBe(403);
  });

  it("does not offer self sign-up or better-auth's own admin endpoints", async () => {
    const handler = (await auth()).handler;
    for (const path of ["/api/auth/sign-up/email", "/api/auth/admin/set-role", "/api/auth/admin/create-user", "/api/auth/update-user"]) {
      const response = await handler(new Request(`${ORIGIN}${path}`, { method: "POST", headers: { "content-type": "application/json", origin: ORIGIN }, body: "{}" }));
      expect(response.status, path).toBe(404);
    }
  });

  it("refuses weak passwords with a reason", async () => {
    await expect(createUser({ email: "dee@example.com", password: "short", role: "staff" })).rejects.toThrow(/at least 12/);
    await expect(createUser({ email: "dee@example.com", password: "dee-dee-dee-dee", role: "staff" })).rejects.toThrow(/email's name/);
  });
});

describe("JSON API authorisation", () => {
  it("accepts a bearer token with the right role and refuses a revoked one", async () => {
    const { token, secret } = await createApiToken({ name: "ops", role: "admin" }, null);
    const request = () => new Request(`${ORIGIN}/api/users`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await getUsers(request(), { params: Promise.resolve({}) })).status).toBe(200);
    await revokeApiToken(token.id);
    expect((await getUsers(request(), { params: Promise.resolve({}) })).status).toBe(401);
  });

  it("answers 403 to a token whose role is too low", async () => {
    const { secret } = await createApiToken({ name: "wall", role: "staff" }, null);
    const response = await getUsers(new Request(`${ORIGIN}/api/users`, { headers: { authorization: `Bearer ${secret}` } }), { params: Promise.resolve({}) });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: { code: "forbidden", message: "This needs the admin role." } });
  });

  it("refuses a cookie-authenticated change from another origin (CSRF)", async () => {
    await createUser({ email: "eve@example.com", password: "admin passphrase two", role: "admin" });
    const cookie = sessionCookie(await signIn("eve@example.com", "admin passphrase two"));
    const body = JSON.stringify({ email: "nia@example.com", role: "staff", password: "fresh user passphrase" });
    const foreign = await postUser(
      new Request(`${ORIGIN}/api/users`, { method: "POST", headers: { cookie, origin: "https://evil.example", host: "rxwatch.test", "content-type": "application/json" }, body }),
      { params: Promise.resolve({}) },
    );
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error.code).toBe("csrf_failed");
    const same = await postUser(
      new Request(`${ORIGIN}/api/users`, { method: "POST", headers: { cookie, origin: ORIGIN, host: "rxwatch.test", "content-type": "application/json" }, body }),
      { params: Promise.resolve({}) },
    );
    expect(same.status).toBe(201);
  });

  it("rejects malformed and oversized bodies with a clear 4xx", async () => {
    const { secret } = await createApiToken({ name: "bulk", role: "admin" }, null);
    const post = (body: string) =>
      postUser(new Request(`${ORIGIN}/api/users`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body }), { params: Promise.resolve({}) });
    expect((await post("{not json")).status).toBe(400);
    const invalid = await post(JSON.stringify({ email: "nope", role: "king", password: "x" }));
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.details.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(["email", "role"]);
    expect((await post(JSON.stringify({ padding: "x".repeat(70_000) }))).status).toBe(413);
  });
});
