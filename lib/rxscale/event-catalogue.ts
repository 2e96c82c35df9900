/**
 * The RxScale event types RxWatch knows by default (docs/rxscale.md#event-types): the three
 * pharmacy events every snapshot of the docs lists, plus the two newer ones
 * that appear only in later snapshots. RXWATCH_KNOWN_EVENT_TYPES replaces this
 * list. A type not in the list is still stored and acknowledged; its delivery
 * is flagged `unknown_event_type` so it stands out, never rejected.
 */
export const DEFAULT_KNOWN_EVENT_TYPES = [
  "pharmacy_order_created",
  "pharmacy_order_updated",
  "pharmacy_sku_stock_updated",
  "patient_doctor_meeting_updated",
  "appointment_reminder_due",
] as const;

/**
 * Payload versions RxWatch knows by default: RxScale documents only "1".
 * RXWATCH_KNOWN_PAYLOAD_VERSIONS replaces this list; others are stored,
 * acknowledged and flagged `unknown_payload_version`.
 */
export const DEFAULT_KNOWN_PAYLOAD_VERSIONS = ["1"] as const;

/** The configured list when given, else the default. An empty configured list means "use the default". */
export function knownOrDefault(configured: readonly string[], fallback: readonly string[]): ReadonlySet<string> {
  return new Set(configured.length > 0 ? configured : fallback);
}
