#!/usr/bin/env node
// `node scripts/dependency-audit.mjs` — the dependency-audit stage of `npm test`.
//
// High or critical findings in production dependencies fail (exit 1); dev-only
// ones are listed; exit 2 (a warning) when the audit cannot run. Why:
// docs/development.md#dependency-audit.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BLOCKING_SEVERITIES = new Set(["high", "critical"]);
const SEVERITY_ORDER = ["critical", "high", "moderate", "low", "info"];

/**
 * @typedef {{ name: string, severity: string, scope: "production" | "dev", titles: string[], fix: string }} Finding
 * @typedef {{ kind: "ok" | "blocked", findings: Finding[] } | { kind: "unavailable", reason: string }} AuditOutcome
 */

/** True when every lockfile node of the package is marked dev (npm marks packages needed only by devDependencies). */
function isDevOnly(nodes, lock) {
  const packages = lock?.packages ?? {};
  return Array.isArray(nodes) && nodes.length > 0 && nodes.every((node) => packages[node]?.dev === true);
}

function describeFix(fixAvailable) {
  if (fixAvailable === true) return "fix: npm audit fix";
  if (fixAvailable && typeof fixAvailable === "object") return `fix: ${fixAvailable.name}@${fixAvailable.version}${fixAvailable.isSemVerMajor ? " (major)" : ""}`;
  return "no fix yet";
}

/**
 * Reads `npm audit --json` output (report version 2) with the lockfile.
 * @param {string} stdout
 * @param {unknown} lock parsed package-lock.json
 * @returns {AuditOutcome}
 */
export function readAuditReport(stdout, lock) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    return { kind: "unavailable", reason: `npm audit printed no JSON report (${stdout.trim().slice(0, 120) || "no output"})` };
  }
  if (!report || typeof report !== "object" || !report.vulnerabilities) {
    const code = report?.error?.code ?? report?.statusCode ?? "";
    const message = report?.message ?? report?.error?.summary ?? "no vulnerabilities section in the report";
    return { kind: "unavailable", reason: code && !String(message).includes(String(code)) ? `${code}: ${message}` : String(message) };
  }
  const findings = Object.values(report.vulnerabilities).map((entry) => ({
    name: entry.name,
    severity: entry.severity,
    scope: isDevOnly(entry.nodes, lock) ? "dev" : "production",
    titles: (entry.via ?? []).map((via) => (typeof via === "string" ? `through ${via}` : `${via.title ?? "advisory"}${via.url ? ` (${via.url})` : ""}`)),
    fix: describeFix(entry.fixAvailable),
  }));
  findings.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.name.localeCompare(b.name));
  const isBlocked = findings.some((finding) => finding.scope === "production" && BLOCKING_SEVERITIES.has(finding.severity));
  return { kind: isBlocked ? "blocked" : "ok", findings };
}

/** @param {AuditOutcome} outcome */
export function formatAuditOutcome(outcome) {
  if (outcome.kind === "unavailable") return [`dependency audit could not run: ${outcome.reason}`, "No vulnerability information: this is neither a pass nor a failure. Run `npm audit` where the registry's audit endpoint is reachable."];
  const lines = outcome.findings.map(
    (finding) => `${BLOCKING_SEVERITIES.has(finding.severity) && finding.scope === "production" ? "✗" : "·"} ${finding.severity.padEnd(8)} ${finding.scope.padEnd(10)} ${finding.name} — ${finding.titles.join("; ")} — ${finding.fix}`,
  );
  const production = outcome.findings.filter((finding) => finding.scope === "production").length;
  lines.push(`known vulnerabilities: ${outcome.findings.length} (${production} in production dependencies, ${outcome.findings.length - production} dev-only)`);
  if (outcome.kind === "blocked") lines.push("high or critical vulnerabilities in production dependencies: update them (or document why they cannot be reached) before shipping.");
  return lines;
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["audit", "--json"], { cwd: root, encoding: "utf8", timeout: 120_000 });
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8"));
  const outcome = result.error ? { kind: "unavailable", reason: result.error.message } : readAuditReport(result.stdout ?? "", lock);
  const lines = formatAuditOutcome(outcome);
  for (const line of lines) (outcome.kind === "ok" ? console.log : console.error)(line);
  process.exit(outcome.kind === "ok" ? 0 : outcome.kind === "blocked" ? 1 : 2);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
