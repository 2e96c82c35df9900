/*
 * Wire names of the events the emulator sends. RxScale documents wire names
 * only for the pharmacy-order events (docs/rxscale.md#event-types); the order and
 * prescription events exist in its docs only as prose ("Order created",
 * "Prescription signed", …), so those names are the emulator's choice. They
 * match RxWatch's own defaults (lib/settings.ts) and can be changed with
 * EMULATOR_EVENT_NAMES to mimic whatever RxScale turns out to send.
 */

export const EVENT_KEYS = [
  "orderCreated",
  "orderUpdated",
  "prescriptionApproved",
  "prescriptionSigned",
  "prescriptionDeclined",
  "pharmacyOrderCreated",
  "pharmacyOrderUpdated",
] as const;
export type EventKey = (typeof EVENT_KEYS)[number];
export type EventNames = Record<EventKey, string>;

export const DEFAULT_EVENT_NAMES: EventNames = {
  // [GAP] undocumented wire names: the emulator's choice.
  orderCreated: "order_created",
  orderUpdated: "order_updated",
  prescriptionApproved: "prescription_approved",
  prescriptionSigned: "prescription_signed",
  prescriptionDeclined: "prescription_declined",
  // Documented: docs/rxscale.md#event-types.
  pharmacyOrderCreated: "pharmacy_order_created",
  pharmacyOrderUpdated: "pharmacy_order_updated",
};

/**
 * Sent by the `unknown_event_type` fault. Deliberately a name no RxScale doc
 * uses, so a receiver that handles it "correctly" (store, acknowledge, flag)
 * can be told apart from one that happens to know it.
 */
export const DEFAULT_UNKNOWN_EVENT_TYPE = "emulator_unknown_event";
