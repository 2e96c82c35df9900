import { describe, expect, it } from "vitest";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...all]/route";
import { PUT as putLocalSetting } from "@/app/api/settings/local/[key]/route";
import { auth } from "@/server/auth/auth";
import { ALLOWED_AUTH_ENDPOINTS } from "@/server/auth/auth-endpoints";
import { createUser } from "@/server/auth/users";
import { AUTH_ENDPOINT_RULES } from "../security/route-rules";
import { MAX_AUTH_BODY_BYTES, MAX_JSON_BODY_BYTES } from "@/server/http/route-handler";

/*
 * The perimeter through the real route handlers: better-auth's endpoints
 * behind the same-origin and body-size guard, and a JSON route's body limit.
 */

const ORIGIN = "http://rxwatch.test";
const headers = (extra: Record<string, string> = {}) => ({ "content-type": "application/json", host: "rxwatch.test", "x-rxwatch-peer-address": `10.1.0.${Math.floor(Math.random() * 200)}`, ...extra });

function signInRequest(origin: string, body: string): Request {
  return new Request(`${ORIGIN}/api/auth/sign-in/email`, { method: "POST", headers: headers({ origin }), body });
}

let admins = 0;

async function adminCookie(): Promise<string> {
  admins += 1;
  const email = `perimeter-admin-${admins}@example.com`;
  await createUser({ email, password: "perimeter passphrase", role: "admin" });
  const response = await authPost(signInRequest(ORIGIN, JSON.stringify({ email, password: "perimeter passphrase" })));
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

describe("better-auth behind the perimeter", () => {
  it("signs in from this site through the guard", async () => {
    expect(await adminCookie()).toMatch(/^rxwatch\./);
  });

  it("refuses a sign-in posted from another site, even without a cookie", async () => {
    await createUser({ email: "csrf-target@example.com", password: "csrf target passphrase", role: "staff" });
    const response = await authPost(signInRequest("https://evil.example", JSON.stringify({ email: "csrf-target@example.com", password: "csrf target passphrase" })));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: "csrf_failed" }) });
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("answers 413 to an oversized sign-in body before better-auth reads it", async () => {
    const response = await authPost(signInRequest(ORIGIN, JSON.stringify({ email: "x@example.com", password: "p".repeat(MAX_AUTH_BODY_BYTES) })));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: "payload_too_large" }) });
  });

  it("still serves reads such as the session lookup", async () => {
    const response = await authGet(new Request(`${ORIGIN}/api/auth/get-session`, { headers: headers() }));
    expect(response.status).toBe(200);
  });
});

describe("better-auth endpoints RxWatch offers", () => {
  it("answers 404 to every better-auth endpoint the UI does not call, signed in or not", async () => {
    const cookie = await adminCookie();
    const posts = ["/verify-password", "/update-session", "/sign-up/email", "/change-password", "/revoke-sessions", "/admin/set-role", "/get-session", "/sign-in/social", "/sign-in/email/extra"];
    const gets = ["/list-accounts", "/account-info", "/get-access-token", "/list-sessions", "/ok", "/error", "/sign-out", "/sign-in/email", "/%2e%2e/get-session"];
    for (const path of posts) {
      const response = await authPost(new Request(`${ORIGIN}/api/auth${path}`, { method: "POST", headers: headers({ origin: ORIGIN, cookie }), body: JSON.stringify({ password: "perimeter passphrase" }) }));
      expect(response.status, `POST ${path}`).toBe(404);
      expect(await response.json()).toEqual({ error: expect.objectContaining({ code: "not_found" }) });
    }
    for (const path of gets) {
      const response = await authGet(new Request(`${ORIGIN}/api/auth${path}`, { headers: headers({ cookie }) }));
      expect(response.status, `GET ${path}`).toBe(404);
    }
  });

  it("serves exactly the endpoints the route rules list, and 404 for every other endpoint better-auth has", async () => {
    expect([...ALLOWED_AUTH_ENDPOINTS].sort()).toEqual(Object.keys(AUTH_ENDPOINT_RULES).sort());
    const cookie = await adminCookie();
    const refused: string[] = [];
    const served: string[] = [];
    for (const endpoint of Object.values((await auth()).api)) {
      if (!("path" in endpoint) || typeof endpoint.path !== "string") continue;
      const declared = endpoint.options.method;
      const methods = Array.isArray(declared) ? declared : [declared];
      for (const method of methods) {
        if (method !== "GET" && method !== "POST") continue;
        const key = `${method} ${endpoint.path}`;
        if (key in AUTH_ENDPOINT_RULES) continue;
        const url = `${ORIGIN}/api/auth${endpoint.path.replace(/:[a-z]+/gi, "probe")}`;
        const request = method === "GET" ? new Request(url, { headers: headers({ cookie }) }) : new Request(url, { method, headers: headers({ origin: ORIGIN, cookie }), body: "{}" });
        const response = await (method === "GET" ? authGet(request) : authPost(request));
        (response.status === 404 ? refused : served).push(`${key}: ${response.status}`);
      }
    }
    expect(served).toEqual([]);
    expect(refused.length).toBeGreaterThan(30);
  });

  it("keeps the session token out of the sign-in and get-session answers", async () => {
    await createUser({ email: "token-holder@example.com", password: "token holder passphrase", role: "staff" });
    const signIn = await authPost(signInRequest(ORIGIN, JSON.stringify({ email: "token-holder@example.com", password: "token holder passphrase" })));
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const token = decodeURIComponent(cookie.split("=")[1] ?? "").split(".")[0] ?? "";
    expect(token.length).toBeGreaterThan(10);
    const signInText = await signIn.text();
    expect(JSON.parse(signInText)).toEqual(expect.objectContaining({ user: expect.objectContaining({ email: "token-holder@example.com" }) }));
    expect(signInText).not.toContain(token);
    expect(signInText).not.toContain('"token"');

    const session = await authGet(new Request(`${ORIGIN}/api/auth/get-session`, { headers: headers({ cookie }) }));
    expect(session.status).toBe(200);
    const sessionText = await session.text();
    expect(JSON.parse(sessionText)).toEqual(expect.objectContaining({ session: expect.objectContaining({ userId: expect.any(String) }) }));
    expect(sessionText).not.toContain(token);
    expect(sessionText).not.toContain('"token"');
  });
});

describe("JSON route body limit", () => {
  it("answers 413 with the error envelope to a body over 64 KiB sent without Content-Length", async () => {
    const cookie = await adminCookie();
    const body = new TextEncoder().encode(JSON.stringify({ padding: "x".repeat(MAX_JSON_BODY_BYTES) }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < body.length; offset += 8192) controller.enqueue(body.slice(offset, offset + 8192));
        controller.close();
      },
    });
    // `duplex` is required by Node for stream bodies but missing from the DOM typings.
    const init: RequestInit & { duplex: "half" } = { method: "PUT", headers: headers({ origin: ORIGIN, cookie }), body: stream, duplex: "half" };
    const response = await putLocalSetting(new Request(`${ORIGIN}/api/settings/local/retention`, init), { params: Promise.resolve({ key: "retention" }) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: "payload_too_large", message: expect.stringContaining(String(MAX_JSON_BODY_BYTES)), details: { limitBytes: MAX_JSON_BODY_BYTES } } });
  });
});
