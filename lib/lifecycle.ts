import { z } from "zod";

/*
 * An order's lifecycle as RxWatch shows it (docs/rxscale.md#order-lifecycle):
 * ordered → prescription approved → prescription signed → sent to a pharmacy →
 * in the pharmacy → shipped/ready → completed, with declines, cancellations and
 * holds on the way. Statuses are matched exactly, never normalised. RxScale's
 * problem statuses and any status it has not documented land in
 * `needs_attention`, which has its own time budget: shown, never dropped, and
 * never in a stage that cannot become stuck (docs/rxscale.md#status-values).
 */

/** The main path, in order. */
export const PROGRESS_STAGES = ["ordered", "prescription_approved", "prescription_signed", "sent_to_pharmacy", "in_pharmacy", "shipped", "completed"] as const;
/** Where an order can end up off the main path. */
export const SIDE_STAGES = ["needs_attention", "on_hold", "declined", "cancelled", "other"] as const;
export const STAGES = [...PROGRESS_STAGES, ...SIDE_STAGES] as const;
export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;
export type ProgressStage = (typeof PROGRESS_STAGES)[number];

export const STAGE_LABELS: Record<Stage, string> = {
  ordered: "Ordered",
  prescription_approved: "Prescription approved",
  prescription_signed: "Prescription signed",
  sent_to_pharmacy: "Sent to pharmacy",
  in_pharmacy: "In the pharmacy",
  shipped: "Shipped / ready",
  completed: "Completed",
  needs_attention: "Needs attention",
  on_hold: "On hold",
  declined: "Declined",
  cancelled: "Cancelled",
  // Kept so rows projected by older versions still read; new projections never use it.
  other: "Other",
};

/** The event that normally moves an order out of each progress stage, for "expected next". */
export const NEXT_STEP: Record<ProgressStage, string | null> = {
  ordered: "prescription approved",
  prescription_approved: "prescription signed",
  prescription_signed: "sent to a pharmacy",
  sent_to_pharmacy: "pharmacy starts preparing (pending review / in-progress)",
  in_pharmacy: "ready for pickup / shipped",
  shipped: "completed",
  completed: null,
};

/** Which part of RxScale an event describes: the patient's order, a prescription, or a pharmacy order. */
export const FACT_KINDS = ["order", "prescription", "pharmacy_order"] as const;
export type FactKind = (typeof FACT_KINDS)[number];

export function isFactKind(value: string): value is FactKind {
  return (FACT_KINDS as readonly string[]).includes(value);
}

/**
 * Status → stage, per kind. Vocabularies: docs/rxscale.md#status-values
 * (pharmacy orders current and legacy; prescriptions in both spellings of
 * "waiting for doctor").
 */
export const LIFECYCLE_TABLE: Record<FactKind, Readonly<Record<string, Stage>>> = {
  pharmacy_order: {
    init: "sent_to_pharmacy",
    "waiting for pharmacy": "sent_to_pharmacy",
    "pending review": "in_pharmacy",
    "in-progress": "in_pharmacy",
    "on-hold": "on_hold",
    ready_for_pickup: "shipped",
    completed: "completed",
    cancelled: "cancelled",
    // Legacy vocabulary of the older guide snapshot.
    created: "sent_to_pharmacy",
    open: "sent_to_pharmacy",
    processing: "in_pharmacy",
    shipped: "shipped",
  },
  order: {
    init: "ordered",
    started: "ordered",
    "waiting for doctor": "ordered",
    "waiting for payment": "needs_attention",
    "waiting for clearance": "ordered",
    "waiting for manual input": "needs_attention",
    "prescription not signed": "prescription_approved",
    "waiting for pharmacy": "sent_to_pharmacy",
    paused: "on_hold",
    completed: "completed",
    cancelled: "cancelled",
    "prescription declined": "declined",
    "out of stock": "needs_attention",
    "pharmacy not found": "needs_attention",
    "prescription not found": "needs_attention",
  },
  prescription: {
    "waiting for doctor": "ordered",
    waiting_for_doctor: "ordered",
    approved: "prescription_approved",
    signed: "prescription_signed",
    EXTERNALLY_SIGNED: "prescription_signed",
    NON_QES_SIGNED: "prescription_signed",
    declined: "declined",
    cancelled: "cancelled",
    ON_HOLD: "on_hold",
  },
};

/** The stage a status puts an order in; `needs_attention` for anything the table does not know. */
export function stageOf(kind: FactKind, status: string): Stage {
  return LIFECYCLE_TABLE[kind][status] ?? "needs_attention";
}

/**
 * Friendly labels for every status RxScale documents (docs/rxscale.md#status-values), per kind;
 * patient-order labels are RxScale's own. A status missing here is shown as sent.
 */
export const STATUS_LABELS: Record<FactKind, Readonly<Record<string, string>>> = {
  pharmacy_order: {
    init: "Created",
    "waiting for pharmacy": "Queued at the pharmacy",
    "pending review": "Pharmacy reviewing",
    "on-hold": "On hold at the pharmacy",
    "in-progress": "Being prepared",
    ready_for_pickup: "Ready for pickup / shipping",
    completed: "Completed",
    cancelled: "Cancelled",
    created: "Created",
    open: "Open",
    processing: "Being prepared",
    shipped: "Shipped",
  },
  order: {
    init: "Order created",
    started: "Processing started",
    "waiting for doctor": "Awaiting doctor review",
    "waiting for pharmacy": "Sent to pharmacy",
    paused: "Paused",
    completed: "Completed",
    cancelled: "Cancelled",
    "out of stock": "Out of stock",
    "waiting for manual input": "Requires attention",
    "waiting for clearance": "Awaiting clearance",
    "waiting for payment": "Payment pending",
    "pharmacy not found": "No pharmacy available",
    "prescription declined": "Prescription declined",
    "prescription not found": "Prescription missing",
    "prescription not signed": "Awaiting signature",
  },
  prescription: {
    "waiting for doctor": "Awaiting doctor review",
    waiting_for_doctor: "Awaiting doctor review",
    approved: "Approved",
    signed: "Signed",
    EXTERNALLY_SIGNED: "Signed outside RxScale",
    NON_QES_SIGNED: "Signed (non-QES)",
    declined: "Declined",
    cancelled: "Cancelled",
    ON_HOLD: "On hold",
  },
};

/**
 * The friendly label of a status whose kind is not known (badges, filters): the
 * patient order's wording first, then the pharmacy order's, then the
 * prescription's; null for a status RxScale has not documented.
 */
export function friendlyStatusLabel(status: string): string | null {
  for (const kind of ["order", "pharmacy_order", "prescription"] as const) {
    const label = STATUS_LABELS[kind][status];
    if (label) return label;
  }
  return null;
}

/** A status's friendly label, or the status as sent. */
export function statusLabel(kind: FactKind, status: string): string {
  return STATUS_LABELS[kind][status] ?? status;
}

export function progressIndex(stage: Stage): number {
  return (PROGRESS_STAGES as readonly string[]).indexOf(stage);
}

export function isProgressStage(stage: Stage): stage is ProgressStage {
  return progressIndex(stage) >= 0;
}
