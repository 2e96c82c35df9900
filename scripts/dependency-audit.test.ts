import { describe, expect, it } from "vitest";
import { formatAuditOutcome, readAuditReport } from "./dependency-audit.mjs";

const lock = {
  packages: {
    "node_modules/next": {},
    "node_modules/vitest": { dev: true },
    "node_modules/esbuild": { dev: true },
  },
};

function report(vulnerabilities: Record<string, unknown>): string {
  return JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: {} });
}

const advisory = (title: string, severity: string) => ({ source: 1, name: "x", title, url: "https://github.com/advisories/GHSA-test", severity });

describe("dependency audit", () => {
  it("fails on a high vulnerability in a production dependency", () => {
    const outcome = readAuditReport(report({ next: { name: "next", severity: "high", nodes: ["node_modules/next"], via: [advisory("Cache poisoning", "high")], fixAvailable: true } }), lock);
    expect(outcome.kind).toBe("blocked");
    expect(formatAuditOutcome(outcome).join("\n")).toMatch(/high\s+production\s+next — Cache poisoning/);
  });

  it("lists but does not fail on critical vulnerabilities that only dev tools carry", () => {
    const outcome = readAuditReport(
      report({
        vitest: { name: "vitest", severity: "critical", nodes: ["node_modules/vitest"], via: ["esbuild"], fixAvailable: { name: "vitest", version: "9.0.0", isSemVerMajor: true } },
        esbuild: { name: "esbuild", severity: "moderate", nodes: ["node_modules/esbuild"], via: [advisory("Dev server answers any site", "moderate")], fixAvailable: false },
      }),
      lock,
    );
    expect(outcome.kind).toBe("ok");
    const lines = formatAuditOutcome(outcome);
    expect(lines[0]).toMatch(/critical\s+dev\s+vitest — through esbuild — fix: vitest@9.0.0 \(major\)/);
    expect(lines.at(-1)).toContain("2 (0 in production dependencies, 2 dev-only)");
  });

  it("passes a moderate production finding, still listing it", () => {
    const outcome = readAuditReport(report({ next: { name: "next", severity: "moderate", nodes: ["node_modules/next"], via: [advisory("Open redirect", "moderate")] } }), lock);
    expect(outcome.kind).toBe("ok");
    expect(formatAuditOutcome(outcome)[0]).toContain("Open redirect");
  });

  it("reports an audit that could not run as unavailable, with the reason, instead of a pass", () => {
    const offline = readAuditReport(JSON.stringify({ error: { code: "ENOTFOUND", summary: "request to https://registry.npmjs.org failed", detail: "" } }), lock);
    expect(offline).toEqual({ kind: "unavailable", reason: expect.stringMatching(/^ENOTFOUND: request to/) });
    const mirror = readAuditReport(JSON.stringify({ message: "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk", statusCode: 405 }), lock);
    expect(mirror).toEqual({ kind: "unavailable", reason: expect.stringContaining("405 Method Not Allowed") });
    expect(readAuditReport("", lock).kind).toBe("unavailable");
    expect(formatAuditOutcome(mirror)[0]).toMatch(/could not run/);
  });
});
