import type { BranchRates } from "./config";
import type { EventKey } from "./event-names";
import { chance, type Random } from "./random";

/*
 * The path an order walks, planned up front so it can be tested without
 * timers. Events follow RxScale's typical monitoring workflow (order created →
 * prescription approved → signed → sent to a pharmacy → pharmacy processing →
 * completed; docs/rxscale.md#order-lifecycle); statuses are RxScale's exact
 * strings (docs/rxscale.md#status-values).
 */

/** Which RxScale object an event describes, and so which status vocabulary it uses. */
export type EventSubject = "order" | "prescription" | "pharmacy_order";

export const SUBJECT_OF_EVENT: Record<EventKey, EventSubject> = {
  orderCreated: "order",
  orderUpdated: "order",
  prescriptionApproved: "prescription",
  prescriptionSigned: "prescription",
  prescriptionDeclined: "prescription",
  pharmacyOrderCreated: "pharmacy_order",
  pharmacyOrderUpdated: "pharmacy_order",
};

export interface PlannedEvent {
  event: EventKey;
  status: string;
}

/** Events that happen at the same moment (e.g. the order moves to "waiting for pharmacy" as the pharmacy order is created). */
export type PlannedStep = readonly PlannedEvent[];

export type OrderOutcome = "completed" | "cancelled" | "declined";

export interface OrderPlan {
  steps: PlannedStep[];
  outcome: OrderOutcome;
}

/** Where a cancellation may happen: RxScale allows it only from these pharmacy statuses (docs/rxscale.md#pharmacy-order-statuses). */
export const CANCELLABLE_PHARMACY_STATUSES = ["waiting for pharmacy", "pending review"] as const;
/** Where a hold may happen; the order resumes in the status it was held from. */
export const HOLDABLE_PHARMACY_STATUSES = ["pending review", "in-progress"] as const;

/** RxScale's problem statuses of a patient order (docs/rxscale.md#status-values); an order may pass through one. */
export const PROBLEM_ORDER_STATUSES = ["waiting for manual input", "waiting for payment", "out of stock", "pharmacy not found", "prescription not found"] as const;

/**
 * Draws one order's path. Branch probabilities come from `rates`: a declined
 * prescription ends the order early; a cancellation ends it from "waiting for
 * pharmacy" or "pending review"; a hold pauses it in "on-hold" and it
 * resumes where it was; a problem puts the signed order in one of RxScale's
 * problem statuses until it is sent to a pharmacy.
 */
export function planOrderLifecycle(random: Random, rates: BranchRates): OrderPlan {
  const steps: PlannedStep[] = [[{ event: "orderCreated", status: "waiting for doctor" }]];

  if (chance(random, rates.declined)) {
    steps.push([
      { event: "prescriptionDeclined", status: "declined" },
      { event: "orderUpdated", status: "prescription declined" },
    ]);
    return { steps, outcome: "declined" };
  }
  steps.push([{ event: "prescriptionApproved", status: "approved" }]);
  steps.push([{ event: "prescriptionSigned", status: "signed" }]);
  // Drawn only when the rate is set, so seeded traffic without problems stays as it was.
  if (rates.problem > 0 && chance(random, rates.problem)) {
    steps.push([{ event: "orderUpdated", status: PROBLEM_ORDER_STATUSES[Math.floor(random() * PROBLEM_ORDER_STATUSES.length)] ?? "waiting for manual input" }]);
  }
  steps.push([
    { event: "orderUpdated", status: "waiting for pharmacy" },
    { event: "pharmacyOrderCreated", status: "waiting for pharmacy" },
  ]);

  const cancelFrom = chance(random, rates.cancelled) ? CANCELLABLE_PHARMACY_STATUSES[random() < 0.5 ? 0 : 1] : null;
  const holdIn = chance(random, rates.onHold) ? HOLDABLE_PHARMACY_STATUSES[random() < 0.5 ? 0 : 1] : null;
  const cancel = (): OrderPlan => {
    steps.push([
      { event: "pharmacyOrderUpdated", status: "cancelled" },
      { event: "orderUpdated", status: "cancelled" },
    ]);
    return { steps, outcome: "cancelled" };
  };

  if (cancelFrom === "waiting for pharmacy") return cancel();
  for (const status of ["pending review", "in-progress"] as const) {
    steps.push([{ event: "pharmacyOrderUpdated", status }]);
    if (holdIn === status) {
      steps.push([{ event: "pharmacyOrderUpdated", status: "on-hold" }]);
      steps.push([{ event: "pharmacyOrderUpdated", status }]);
    }
    if (status === "pending review" && cancelFrom === "pending review") return cancel();
  }
  steps.push([{ event: "pharmacyOrderUpdated", status: "ready_for_pickup" }]);
  steps.push([
    { event: "pharmacyOrderUpdated", status: "completed" },
    { event: "orderUpdated", status: "completed" },
  ]);
  return { steps, outcome: "completed" };
}
