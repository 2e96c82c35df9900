import "server-only";
import { ALERT_RULE_LABELS, type AlertRule } from "@/lib/alerts";
import { STAGE_LABELS, stageSchema } from "@/lib/lifecycle";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { getSettings } from "@/server/settings/settings";
import { summarizeError } from "@/server/processing/errors";
import { sendAlert } from "@/server/alerts/notify";
import { ensureAlertState, touchAlertState, transitionAlertState } from "@/server/repositories/alerts";
import { countStuckOrders, deadEventsByType, deliveryOutcomeCounts, latestDeliveryAt, rejectionsByReason, stuckOrdersByStage } from "@/server/repositories/failures";

/*
 * The alert rules. Each evaluation measures every rule; a rule notifies only
 * when it changes between ok and firing (compare-and-set in the database), so
 * a condition that lasts an hour sends one alert, and one more when it ends.
 * A rule switched off counts as not firing, so switching it off ends its alert.
 */

export interface Measurement {
  rule: AlertRule;
  isFiring: boolean;
  /** The measured value: rate in %, a count, or minutes of silence. */
  value: number | null;
  /** What the rule sees now, in counts and codes. */
  summary: string;
}

function codes(entries: readonly { key: string; count: number }[]): string {
  return [...entries]
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, 5)
    .map((entry) => `${entry.key} ${entry.count}`)
    .join(", ");
}

/** Measures every rule at `now` against the current settings. */
export async function measureAlertRules(now: Date): Promise<Measurement[]> {
  const [rules, detection, expected] = await Promise.all([getSettings("alertRules"), getSettings("failureDetection"), getSettings("expectedSubscriptions")]);

  const windowStart = new Date(now.getTime() - rules.failureRate.windowMinutes * 60_000);
  const [outcomes, reasons, dead, stuckCount, lastDelivery] = await Promise.all([
    deliveryOutcomeCounts(windowStart),
    rejectionsByReason(windowStart),
    deadEventsByType(),
    countStuckOrders(now),
    latestDeliveryAt(),
  ]);

  const total = [...outcomes.values()].reduce((sum, count) => sum + count, 0);
  const rejected = outcomes.get("rejected") ?? 0;
  const rate = total > 0 ? (rejected / total) * 100 : 0;
  const failureRate: Measurement = {
    rule: "failure_rate",
    isFiring: rules.failureRate.isEnabled && total >= rules.failureRate.minDeliveries && rate > rules.failureRate.thresholdPercent,
    value: Math.round(rate * 10) / 10,
    summary: `${Math.round(rate * 10) / 10}% of deliveries rejected over the last ${rules.failureRate.windowMinutes} min (${rejected} of ${total}${reasons.length > 0 ? `: ${codes(reasons)}` : ""}); threshold ${rules.failureRate.thresholdPercent}% from ${rules.failureRate.minDeliveries} deliveries.`,
  };

  const deadTotal = dead.reduce((sum, entry) => sum + entry.count, 0);
  const deadLetters: Measurement = {
    rule: "dead_letter",
    isFiring: rules.deadLetters.isEnabled && deadTotal > 0,
    value: deadTotal,
    summary:
      deadTotal > 0
        ? `${deadTotal} dead ${deadTotal === 1 ? "letter" : "letters"} (${codes(dead.map((entry) => ({ key: entry.eventType, count: entry.count })))}): events RxWatch gave up processing. Replay them from the Failures page once the cause is fixed.`
        : "No dead letters.",
  };

  const silentMinutes = lastDelivery ? Math.floor((now.getTime() - lastDelivery.getTime()) / 60_000) : null;
  const silence: Measurement = {
    rule: "silence",
    isFiring: rules.silence.isEnabled && expected.length > 0 && silentMinutes !== null && silentMinutes >= detection.silenceWindowMinutes,
    value: silentMinutes,
    summary:
      silentMinutes === null
        ? "No delivery has arrived yet."
        : `Last delivery ${silentMinutes} min ago (window ${detection.silenceWindowMinutes} min) while subscribed to ${expected.length} event ${expected.length === 1 ? "type" : "types"} (${expected.slice(0, 5).join(", ")}).`,
  };

  let stuckSummary = `${stuckCount} stuck ${stuckCount === 1 ? "order" : "orders"} (threshold ${rules.stuckOrders.threshold}).`;
  if (stuckCount > rules.stuckOrders.threshold) {
    const byStage = await stuckOrdersByStage(now);
    stuckSummary = `${stuckCount} stuck orders (threshold ${rules.stuckOrders.threshold}): ${byStage.byStage
      .sort((a, b) => b.count - a.count)
      .map((entry) => `${STAGE_LABELS[stageSchema.catch("other").parse(entry.stage)]} ${entry.count}`)
      .join(", ")}.`;
  }
  const stuck: Measurement = { rule: "stuck_orders", isFiring: rules.stuckOrders.isEnabled && stuckCount > rules.stuckOrders.threshold, value: stuckCount, summary: stuckSummary };

  return [failureRate, deadLetters, silence, stuck];
}

/** The text of a firing or resolved alert: rule, state, counts, and where to look. */
export function alertText(measurement: Measurement, kind: "firing" | "resolved"): { subject: string; text: string } {
  const label = ALERT_RULE_LABELS[measurement.rule];
  const state = kind === "firing" ? "FIRING" : "RESOLVED";
  const base = env().RXWATCH_PUBLIC_URL;
  const link = base ? ` ${new URL("/failures", base).toString()}` : "";
  return { subject: `[RxWatch] ${state}: ${label}`, text: `[RxWatch] ${state} — ${label}: ${measurement.summary}${link}` };
}

export interface AlertTransition {
  rule: AlertRule;
  kind: "firing" | "resolved";
}

/**
 * Measures every rule at `now` and notifies each change: a rule that starts
 * firing sends one alert, one that stops sends one "resolved". Returns the
 * changes this call made (another instance may have made the others).
 */
export async function evaluateAlerts(now: Date = new Date()): Promise<AlertTransition[]> {
  const measurements = await measureAlertRules(now);
  const transitions: AlertTransition[] = [];
  for (const measurement of measurements) {
    try {
      await ensureAlertState(measurement.rule, now);
      const kind = measurement.isFiring ? "firing" : "resolved";
      const isChanged = measurement.isFiring
        ? await transitionAlertState(measurement.rule, "ok", "firing", now, measurement.value)
        : await transitionAlertState(measurement.rule, "firing", "ok", now, measurement.value);
      if (!isChanged) {
        await touchAlertState(measurement.rule, now, measurement.value);
        continue;
      }
      transitions.push({ rule: measurement.rule, kind });
      log(kind === "firing" ? "warn" : "info", kind === "firing" ? "alert firing" : "alert resolved", { rule: measurement.rule, value: measurement.value });
      await sendAlert({ rule: measurement.rule, kind, ...alertText(measurement, kind) }, now);
    } catch (error) {
      log("error", "alert rule could not be evaluated", { rule: measurement.rule, error: summarizeError(error) });
    }
  }
  return transitions;
}
