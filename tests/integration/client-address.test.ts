import { describe, expect, it, vi } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { createUser } from "@/server/auth/users";
import { auditQuerySchema } from "@/lib/audit";
import { listAuditEntries } from "@/server/audit/audit-entries";

/*
 * X-Forwarded-For is a client's claim unless a trusted proxy wrote it (issue 13,
 * finding 2): rotating it neither escapes the sign-in rate limit nor chooses the
 * address an audit entry records. Requests go through the real auth route.
 */

vi.hoisted(() => {
  process.env.RXWATCH_TRUSTED_PROXIES = "10.99.0.0/16";
  process.env.RXWATCH_LOGIN_MAX_ATTEMPTS = "3";
});

const ORIGIN = "http://rxwatch.test";

function signIn(email: string, headers: Record<string, string>): Promise<Response> {
  const request = new Request(`${ORIGIN}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, host: "rxwatch.test", ...headers },
    body: JSON.stringify({ email, password: "not the passphrase at all" }),
  });
  return authPost(request);
}

describe("the client address", () => {
  it("keeps one peer in one sign-in rate-limit bucket however it rotates X-Forwarded-For", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await signIn(`nobody-${i}@example.com`, { "x-rxwatch-peer-address": "198.51.100.20", "x-forwarded-for": `203.0.113.${i}` })).status);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
  });

  it("separates clients behind a trusted proxy by the address the proxy appended", async () => {
    const through = (client: string) => signIn("someone@example.com", { "x-rxwatch-peer-address": "10.99.0.1", "x-forwarded-for": `127.0.0.1, ${client}` });
    for (let i = 0; i < 3; i += 1) expect((await through("198.51.100.30")).status).toBe(401);
    expect((await through("198.51.100.30")).status).toBe(429);
    expect((await through("198.51.100.31")).status).toBe(401);
  });

  it("records the socket peer in the audit entry, not an address the client wrote", async () => {
    await createUser({ email: "audited@example.com", password: "the right passphrase", role: "staff" });
    await signIn("audited@example.com", { "x-rxwatch-peer-address": "198.51.100.40", "x-forwarded-for": "192.0.2.66" });
    const entries = (await listAuditEntries(auditQuerySchema.parse({ action: "auth.sign_in", limit: 50 }))).entries;
    const mine = entries.filter((entry) => entry.sourceAddress === "198.51.100.40");
    expect(mine.length).toBeGreaterThan(0);
    expect(entries.some((entry) => entry.sourceAddress === "192.0.2.66")).toBe(false);
  });

  it("refuses a cross-site change whose Origin matches only an X-Forwarded-Host the client wrote", async () => {
    const response = await signIn("x@example.com", { origin: "https://evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", "x-rxwatch-peer-address": "198.51.100.50" });
    expect(response.status).toBe(403);
  });
});
