import { describe, expect, it } from "vitest";
import { API_CONTENT_SECURITY_POLICY, isHttpsRequest, newNonce, pageContentSecurityPolicy, pageSecurityHeaders, STATIC_SECURITY_HEADERS } from "@/lib/security-headers";

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(";").map((part) => {
    const [name = "", ...values] = part.trim().split(/\s+/);
    return [name, values];
  }));
}

describe("page Content-Security-Policy", () => {
  const policy = directives(pageContentSecurityPolicy({ nonce: "abc123", isDevelopment: false, isHttps: false }));

  it("runs only scripts carrying the nonce or loaded by one, never inline or eval", () => {
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    for (const values of policy.values()) {
      expect(values).not.toContain("'unsafe-eval'");
    }
    expect(policy.get("script-src")).not.toContain("'unsafe-inline'");
    expect(policy.get("style-src")).not.toContain("'unsafe-inline'");
  });

  it("forbids framing, plugins, foreign bases, form targets and connections", () => {
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.get("connect-src")).toEqual(["'self'"]);
  });

  it("allows eval only for React's development build", () => {
    expect(directives(pageContentSecurityPolicy({ nonce: "n", isDevelopment: true, isHttps: false })).get("script-src")).toContain("'unsafe-eval'");
  });

  it("upgrades mixed content only over HTTPS, where it cannot break plain-HTTP installs", () => {
    expect(policy.has("upgrade-insecure-requests")).toBe(false);
    expect(directives(pageContentSecurityPolicy({ nonce: "n", isDevelopment: false, isHttps: true })).has("upgrade-insecure-requests")).toBe(true);
  });
});

describe("page security headers", () => {
  it("sends HSTS over HTTPS only", () => {
    expect(pageSecurityHeaders({ nonce: "n", isDevelopment: false, isHttps: true })["Strict-Transport-Security"]).toMatch(/^max-age=\d{8,}$/);
    expect(pageSecurityHeaders({ nonce: "n", isDevelopment: false, isHttps: false })).not.toHaveProperty("Strict-Transport-Security");
  });
});

describe("isHttpsRequest", () => {
  it("is settled by an https public URL", () => {
    expect(isHttpsRequest({ publicUrl: "https://rxwatch.example.com", requestProtocol: "http:", forwardedProto: null })).toBe(true);
  });

  it("follows the first X-Forwarded-Proto hop otherwise", () => {
    expect(isHttpsRequest({ publicUrl: undefined, requestProtocol: "http:", forwardedProto: "https, http" })).toBe(true);
    expect(isHttpsRequest({ publicUrl: undefined, requestProtocol: "http:", forwardedProto: "http" })).toBe(false);
    expect(isHttpsRequest({ publicUrl: "http://rxwatch.lan", requestProtocol: "http:", forwardedProto: null })).toBe(false);
  });

  it("notices TLS terminated by Next.js itself", () => {
    expect(isHttpsRequest({ publicUrl: undefined, requestProtocol: "https:", forwardedProto: null })).toBe(true);
  });
});

describe("static headers", () => {
  const byName = new Map(STATIC_SECURITY_HEADERS.map(({ key, value }) => [key.toLowerCase(), value]));

  it("forbid sniffing, framing, referrers and opener access", () => {
    expect(byName.get("x-content-type-options")).toBe("nosniff");
    expect(byName.get("x-frame-options")).toBe("DENY");
    expect(byName.get("referrer-policy")).toBe("no-referrer");
    expect(byName.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(byName.get("permissions-policy")).toContain("camera=()");
  });

  it("give API answers a policy under which nothing loads or runs", () => {
    expect(directives(API_CONTENT_SECURITY_POLICY).get("default-src")).toEqual(["'none'"]);
    expect(directives(API_CONTENT_SECURITY_POLICY).get("frame-ancestors")).toEqual(["'none'"]);
  });
});

describe("newNonce", () => {
  it("is 128 random bits, different every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, () => newNonce()));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});
