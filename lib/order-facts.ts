import { z } from "zod";
import type { FactKind } from "./lifecycle";
import type { OrderFact } from "./order-projection";
import type { EventNameSettings } from "./settings";

/*
 * Reading what an event says about an order. Payload fields are read
 * leniently (docs/rxscale.md#pharmacy-order-events; unknown fields ignored, wrong types treated as
 * absent) because RxScale's payloads are only partly documented. Nothing here
 * keeps patient names, addresses or medications: only identifiers and statuses.
 */

const uid = z.union([z.string().min(1).max(256), z.number().transform(String)]);
const seconds = z.number().int().nonnegative();

const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const dataSchema = z.object({
  uid: lenient(uid),
  status: lenient(z.string().min(1).max(120)),
  name: lenient(z.string().max(200).nullable()),
  shop_order_name: lenient(z.string().max(200).nullable()),
  updated_at: lenient(seconds),
  order: lenient(z.object({ uid: lenient(uid) }).nullable()),
  order_uid: lenient(uid),
  pharmacy: lenient(z.object({ uid: lenient(uid), display_name: lenient(z.string().max(200)) }).nullable()),
  delivery_type: lenient(z.object({ identifier: lenient(z.string().max(120)), display_name: lenient(z.string().max(200)) }).nullable()),
  patient_data: lenient(z.object({ uid: lenient(uid) }).nullable()),
  patient_uid: lenient(uid),
});
type EventData = z.infer<typeof dataSchema>;

export const PHARMACY_ORDER_EVENT_TYPES = ["pharmacy_order_created", "pharmacy_order_updated"] as const;

/** Which part of an order an event type describes, given the configured wire names; null for events that are not about orders. */
export function factKindOf(eventType: string, names: EventNameSettings): FactKind | null {
  if ((PHARMACY_ORDER_EVENT_TYPES as readonly string[]).includes(eventType)) return "pharmacy_order";
  if (eventType === names.orderCreated || eventType === names.orderUpdated) return "order";
  if (eventType === names.prescriptionApproved || eventType === names.prescriptionSigned || eventType === names.prescriptionDeclined) return "prescription";
  return null;
}

/** Prescription events may omit `status`; the event name then says it. */
function impliedStatus(eventType: string, names: EventNameSettings): string | null {
  if (eventType === names.prescriptionApproved) return "approved";
  if (eventType === names.prescriptionSigned) return "signed";
  if (eventType === names.prescriptionDeclined) return "declined";
  if (eventType === names.orderCreated) return "init";
  return null;
}

function parentOrderUid(kind: FactKind, data: EventData): string | undefined {
  if (kind === "order") return data.uid;
  return data.order?.uid ?? data.order_uid;
}

export interface RawEvent {
  id: string;
  type: string;
  /** Envelope timestamp, Unix seconds. */
  timestamp: number;
  data: unknown;
  receivedAt: number;
}

/**
 * Turns a patient uid into the keyed hash stored instead of it. The server
 * passes its HMAC (server/crypto/search-key.ts); lib/ never sees the key.
 */
export type PatientKeyOf = (patientUid: string) => string;

function patientKey(data: { patient_data?: { uid?: string | null } | null; patient_uid?: string | null }, patientKeyOf: PatientKeyOf): string | null {
  const uid = data.patient_data?.uid ?? data.patient_uid ?? null;
  return uid ? patientKeyOf(uid) : null;
}

/**
 * The order fact an event carries, or null when the event is not about an
 * order (e.g. SKU stock) or lacks the identifiers to place it. A pharmacy
 * order without a parent order uid is tracked under its own uid. `kind` may be
 * passed when the caller has already classified the event (the worker's dispatch).
 */
export function extractOrderFact(event: RawEvent, names: EventNameSettings, patientKeyOf: PatientKeyOf, kind: FactKind | null = factKindOf(event.type, names)): OrderFact | null {
  if (!kind) return null;
  const parsed = dataSchema.safeParse(event.data);
  if (!parsed.success || !parsed.data.uid) return null;
  const data = parsed.data;
  const entityUid = data.uid;
  if (!entityUid) return null;
  const status = data.status ?? impliedStatus(event.type, names);
  if (!status) return null;
  return {
    eventId: event.id,
    kind,
    eventType: event.type,
    orderUid: parentOrderUid(kind, data) ?? entityUid,
    entityUid,
    status,
    updatedAt: data.updated_at ?? null,
    timestamp: event.timestamp,
    receivedAt: event.receivedAt,
    pharmacyUid: data.pharmacy?.uid ?? null,
    pharmacyName: data.pharmacy?.display_name ?? null,
    deliveryType: data.delivery_type?.display_name ?? data.delivery_type?.identifier ?? null,
    shopOrderName: data.name ?? data.shop_order_name ?? null,
    patientKey: patientKey(data, patientKeyOf),
  };
}

/** Identifiers support searches by; stored on each event at ingest and indexed. */
export interface SearchKeys {
  orderUid: string | null;
  pharmacyOrderUid: string | null;
  shopOrderName: string | null;
  /** Keyed hash of the patient uid (see {@link PatientKeyOf}), never the uid. */
  patientKey: string | null;
  pharmacyUid: string | null;
  status: string | null;
}

/**
 * Search keys of any event, whatever its type: pharmacy-order events give
 * both uids; other events give what their payload has. Never throws.
 */
export function extractSearchKeys(eventType: string, data: unknown, patientKeyOf: PatientKeyOf): SearchKeys {
  const parsed = dataSchema.safeParse(data);
  const empty: SearchKeys = { orderUid: null, pharmacyOrderUid: null, shopOrderName: null, patientKey: null, pharmacyUid: null, status: null };
  if (!parsed.success) return empty;
  const value = parsed.data;
  const isPharmacyOrder = (PHARMACY_ORDER_EVENT_TYPES as readonly string[]).includes(eventType);
  const nestedOrder = value.order?.uid ?? value.order_uid ?? null;
  return {
    orderUid: isPharmacyOrder ? nestedOrder : (nestedOrder ?? value.uid ?? null),
    pharmacyOrderUid: isPharmacyOrder ? (value.uid ?? null) : null,
    shopOrderName: value.name ?? value.shop_order_name ?? null,
    patientKey: patientKey(value, patientKeyOf),
    pharmacyUid: value.pharmacy?.uid ?? null,
    status: value.status ?? null,
  };
}

const patientFieldsSchema = dataSchema.pick({ patient_data: true, patient_uid: true });
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The patient uid in an envelope-like value: that of its `data` object (the
 * fields {@link extractSearchKeys} reads), else of the value itself, so a
 * body refused as an invalid envelope is still found. Never throws.
 */
export function patientUidOf(value: unknown): string | null {
  const scopes = typeof value === "object" && value !== null && "data" in value ? [value.data, value] : [value];
  for (const scope of scopes) {
    const parsed = patientFieldsSchema.safeParse(scope);
    const found = parsed.success ? (parsed.data.patient_data?.uid ?? parsed.data.patient_uid) : undefined;
    if (found) return found;
  }
  return null;
}

/** {@link patientUidOf} a raw body; null when it is not UTF-8 JSON or names no patient. Never throws. */
export function patientUidOfBody(body: Uint8Array | null): string | null {
  if (body === null || body.byteLength === 0) return null;
  try {
    return patientUidOf(JSON.parse(utf8.decode(body)));
  } catch {
    return null;
  }
}
