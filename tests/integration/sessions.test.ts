import { describe, expect, it } from "vitest";
import { GET as getMe } from "@/app/api/me/route";
import { auth } from "@/server/auth/auth";
import { createUser, revokeSessions, updateUser } from "@/server/auth/users";
import { findViewer } from "@/server/auth/viewer";
import { db } from "@/server/core/db";

const ORIGIN = "http://rxwatch.test";

async function signIn(email: string, password: string): Promise<Response> {
  return (await auth()).handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", origin: ORIGIN, host: "rxwatch.test" }, body: JSON.stringify({ email, password }) }),
  );
}

async function cookieOf(email: string, password: string): Promise<string> {
  return ((await signIn(email, password)).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

async function meStatus(cookie: string): Promise<number> {
  return (await getMe(new Request(`${ORIGIN}/api/me`, { headers: { cookie } }), { params: Promise.resolve({}) })).status;
}

describe("sessions", () => {
  it("sets the session cookie HttpOnly and SameSite=Lax, with RxWatch's prefix", async () => {
    await createUser({ email: "jar@example.com", password: "a cookie passphrase", role: "staff" });
    const setCookie = (await signIn("jar@example.com", "a cookie passphrase")).headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^rxwatch\.session_token=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
  });

  it("ends every session of a user when an admin revokes them; a revoked cookie gets 401", async () => {
    const user = await createUser({ email: "two@example.com", password: "dual device secret", role: "staff" });
    const laptop = await cookieOf("two@example.com", "dual device secret");
    const phone = await cookieOf("two@example.com", "dual device secret");
    expect(await meStatus(laptop)).toBe(200);
    expect(await revokeSessions(user.id)).toBe(2);
    expect(await meStatus(laptop)).toBe(401);
    expect(await meStatus(phone)).toBe(401);
  });

  it("ends a user's sessions when their role changes", async () => {
    const user = await createUser({ email: "promo@example.com", password: "a raise secret phrase", role: "staff" });
    const cookie = await cookieOf("promo@example.com", "a raise secret phrase");
    expect(await findViewer(new Headers({ cookie }))).toMatchObject({ role: "staff" });
    await updateUser(user.id, { role: "support" });
    expect(await meStatus(cookie)).toBe(401);
  });

  it("refuses a session older than the absolute limit, however active", async () => {
    const user = await createUser({ email: "long@example.com", password: "an endless shift phrase", role: "staff" });
    const cookie = await cookieOf("long@example.com", "an endless shift phrase");
    expect(await meStatus(cookie)).toBe(200);
    await (await db()).session.updateMany({ where: { userId: user.id }, data: { createdAt: new Date(Date.now() - 25 * 3_600_000) } });
    expect(await meStatus(cookie)).toBe(401);
  });
});
