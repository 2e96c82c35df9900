import "server-only";
import { SINCE_DURATION_PATTERN, type ReconciliationSummary } from "@/lib/reconciliation";
import { AppError } from "@/server/core/errors";

/** "90m", "24h", "7d" as milliseconds; an invalid_request for anything else. */
export function parseSinceDuration(text: string): number {
  const match = SINCE_DURATION_PATTERN.exec(text.trim());
  if (!match) throw new AppError("invalid_request", `--since takes a duration such as 90m, 24h or 7d, not "${text}".`);
  const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] === "m" ? "m" : match[2] === "h" ? "h" : "d"];
  return Number(match[1]) * unitMs;
}

/** The CLI's output: a human summary, then exactly one JSON line of counts (docs/reconciliation.md#command-line). */
export function formatReconcileSummary(result: ReconciliationSummary & { runId: string; state: string; error: string | null }): string[] {
  const lines = [
    `Reconciliation run ${result.runId}: ${result.state}.`,
    `Checked ${result.checked} orders: ${result.inSync} in sync, ${result.missing} missing in RxWatch, ${result.behind} behind RxScale, ${result.unknownToRxScale} unknown to RxScale.`,
  ];
  if (result.filled > 0) lines.push(`Filled ${result.filled} orders from RxScale's API.`);
  else if (result.missing + result.behind > 0) lines.push("Run again with --fill to record RxScale's state for them.");
  if (result.error) lines.push(`Error: ${result.error}`);
  const { checked, inSync, missing, behind, unknownToRxScale, filled } = result;
  lines.push(JSON.stringify({ checked, inSync, missing, behind, unknownToRxScale, filled }));
  return lines;
}
