import { PROGRESS_STAGES, type ProgressStage } from "./lifecycle";
import { stuckInfo, type OrderFact, type OrderProjection } from "./order-projection";
import type { StuckThresholdSettings } from "./settings";

/*
 * What Insights needs from one order, derived once when the order is
 * projected so charts read columns instead of replaying events
 * (docs/insights.md#how-the-numbers-are-made).
 */

/** Main-path stages an order can spend time in (completed is where it ends). */
export const TIMED_STAGES = PROGRESS_STAGES.filter((stage): stage is Exclude<ProgressStage, "completed"> => stage !== "completed");
export type TimedStage = (typeof TIMED_STAGES)[number];

/** The order status RxScale sends when the pharmacy cannot supply a medication. */
export const OUT_OF_STOCK_STATUS = "out of stock";

export interface OrderTimings {
  /** The furthest main-path stage any event reported, even if the order later fell back or was cancelled. */
  furthestStage: ProgressStage | null;
  /** Seconds from a stage's first event to the first event of the next main-path stage the order reached; null while still in it or if skipped. */
  stageSeconds: Record<TimedStage, number | null>;
  /** Seconds from the first event to shipped / ready for pickup (or completed, when no shipping event came). */
  toShipSeconds: number | null;
  wentOutOfStock: boolean;
  /** Unix seconds when the order first overran a stage's budget, including the current stage's deadline (possibly in the future). */
  firstStuckAt: number | null;
}

export function orderTimings(projection: OrderProjection, facts: readonly OrderFact[], thresholds: StuckThresholdSettings): OrderTimings {
  const { milestones } = projection;
  const stageSeconds = Object.fromEntries(TIMED_STAGES.map((stage) => [stage, null])) as Record<TimedStage, number | null>;
  const deadlines: number[] = [];
  for (const [index, stage] of TIMED_STAGES.entries()) {
    const enteredAt = milestones[stage];
    if (enteredAt === undefined) continue;
    const leftAt = PROGRESS_STAGES.slice(index + 1)
      .map((later) => milestones[later])
      .find((time) => time !== undefined);
    if (leftAt === undefined) continue;
    const seconds = Math.max(0, leftAt - enteredAt);
    stageSeconds[stage] = seconds;
    const deadline = stuckInfo({ stage, stageSince: enteredAt }, thresholds, 0).stuckSince;
    if (deadline !== null && deadline < enteredAt + seconds) deadlines.push(deadline);
  }
  const current = stuckInfo(projection, thresholds, 0).stuckSince;
  if (current !== null) deadlines.push(current);
  const shippedAt = milestones.shipped ?? milestones.completed;
  const startedAt = milestones.ordered ?? projection.firstEventAt;
  const furthestStage = [...PROGRESS_STAGES].reverse().find((stage) => milestones[stage] !== undefined) ?? null;
  return {
    furthestStage,
    stageSeconds,
    toShipSeconds: shippedAt === undefined ? null : Math.max(0, shippedAt - startedAt),
    wentOutOfStock: facts.some((fact) => fact.kind === "order" && fact.status === OUT_OF_STOCK_STATUS),
    firstStuckAt: deadlines.length > 0 ? Math.min(...deadlines) : null,
  };
}
