/*
 * Which parts of a webhook body are personal or health data, and the masking
 * that hides them. An allow-list, so a field nobody listed (one RxScale adds
 * tomorrow) is masked by default. Pure and universal: the server applies it
 * before a body leaves it. See docs/data-protection.md#the-masking-policy.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a masked field holds; the placeholder shown is `‹category›`. */
export const REDACTION_CATEGORIES = [
  "patient_id",
  "name",
  "contact",
  "birth_date",
  "address",
  "medication",
  "prescription_file",
  "doctor",
  "appointment",
  "free_text",
  /** Not named by the policy: masked because it is not allow-listed. */
  "unlisted",
  /** The body is not JSON, so nothing in it can be told apart: masked as a whole. */
  "unparsed",
] as const;
export type RedactionCategory = (typeof REDACTION_CATEGORIES)[number];

export interface MaskedPath {
  /** Dotted path from the envelope root; array positions are written `[]`, masked keys `‹key›`; `$` is the whole body. */
  path: string;
  category: RedactionCategory;
}

export interface Redaction {
  value: JsonValue;
  /** Each masked path once, in document order. */
  maskedPaths: MaskedPath[];
}

export function placeholderOf(category: RedactionCategory): string {
  return `‹${category}›`;
}

/** Matches every placeholder this module writes (masked values and masked keys). */
export const PLACEHOLDER_PATTERN = /^‹[a-z_]+(?: \d+)?›$/;

/** Keys kept as they are: lower-case identifiers, as RxScale names its fields. */
const FIELD_NAME = /^[a-z][a-zA-Z0-9_]{0,63}$/;
/**
 * Nesting below which a value is masked whole, unread: RxScale's bodies nest
 * about five deep, and the bound keeps the walk (recursive) and its output
 * (indented) small for any body (issue 13).
 */
export const MAX_MASKED_DEPTH = 64;
const MASKED_KEY = "‹key›";

/**
 * Patterns are dotted paths from the envelope root; `[]` stands for every
 * element of an array and a trailing `.**` for everything below a path.
 */
interface EventPolicy {
  /** Leaves shown as they are. */
  safe: readonly string[];
  /** What masked fields hold; the most specific pattern wins. */
  sensitive: Readonly<Record<string, RedactionCategory>>;
  /** Values replaced as a whole (free-form content whose keys may be data too). */
  opaque?: Readonly<Record<string, RedactionCategory>>;
}

const ENVELOPE_SAFE = ["event_type", "timestamp", "payload_version"];
const DATA_TIMESTAMPS = ["data.created_at", "data.updated_at", "data.deleted_at"];

/** What an event type nobody described may show: its envelope, the entity's uid, status and timestamps. */
export const UNKNOWN_TYPE_SAFE_PATHS: readonly string[] = [...ENVELOPE_SAFE, "data.uid", "data.status", ...DATA_TIMESTAMPS];

const ADDRESS_FIELDS: Readonly<Record<string, RedactionCategory>> = {
  first_name: "name",
  last_name: "name",
  street: "address",
  house_number: "address",
  zip_code: "address",
  city: "address",
  province: "address",
  country: "address",
  additional_address: "address",
};

function addressPatterns(prefix: string): Record<string, RedactionCategory> {
  return { [`${prefix}.**`]: "address", ...Object.fromEntries(Object.entries(ADDRESS_FIELDS).map(([field, category]) => [`${prefix}.${field}`, category])) };
}

const PATIENT_DATA: Readonly<Record<string, RedactionCategory>> = {
  "data.patient_data.**": "unlisted",
  "data.patient_data.uid": "patient_id",
  "data.patient_data.display_name": "name",
  "data.patient_data.first_name": "name",
  "data.patient_data.last_name": "name",
  "data.patient_data.email": "contact",
  "data.patient_data.phone": "contact",
  "data.patient_data.date_of_birth": "birth_date",
  "data.patient_uid": "patient_id",
  "data.patient_display_name": "name",
};

const DOCTOR_DATA: Readonly<Record<string, RedactionCategory>> = {
  "data.doctor_data.**": "doctor",
  "data.doctor_uid": "doctor",
  "data.doctor_display_name": "doctor",
};

/** A pharmacy order (docs/rxscale.md#pharmacy-order-events): patient, addresses, line items and prescription are personal or health data. */
const PHARMACY_ORDER: EventPolicy = {
  safe: [
    ...UNKNOWN_TYPE_SAFE_PATHS,
    "data.name",
    "data.shop_order_name",
    "data.external_status",
    "data.prepaid",
    "data.pharmacy.uid",
    "data.pharmacy.display_name",
    "data.order.uid",
    "data.order.shipping_costs_amount",
    "data.order.shipping_costs_currency",
    "data.order.priority",
    "data.delivery_type.uid",
    "data.delivery_type.display_name",
    "data.delivery_type.identifier",
    "data.order_items[].uid",
    "data.order_items[].amount",
    "data.order_items[].total_paid_amount",
    "data.order_items[].pharmacy_sku.price",
    "data.order_items[].pharmacy_sku.stock",
  ],
  sensitive: {
    ...PATIENT_DATA,
    ...DOCTOR_DATA,
    ...addressPatterns("data.order.delivery_address"),
    ...addressPatterns("data.order.invoice_address"),
    // Which product a patient gets is health data: every identifier of it, PMS ids and catalogue uids included.
    "data.order_items[].sku.**": "medication",
    "data.order_items[].pharmacy_sku.uid": "medication",
    "data.order_items[].pharmacy_sku.external_id": "medication",
    "data.prescription_file.**": "prescription_file",
  },
  opaque: { "data.data": "free_text" },
};

/** A patient order (wire name configurable; the default names): like a pharmacy order, addresses at the top of `data`. */
const PATIENT_ORDER: EventPolicy = {
  safe: [...PHARMACY_ORDER.safe, "data.order_items[].uid", "data.order_items[].amount"],
  sensitive: { ...PHARMACY_ORDER.sensitive, ...addressPatterns("data.delivery_address"), ...addressPatterns("data.invoice_address") },
  opaque: PHARMACY_ORDER.opaque,
};

/** A prescription: that it exists is health data; only its uid, status, parent order and timestamps are shown. */
const PRESCRIPTION: EventPolicy = {
  safe: [...UNKNOWN_TYPE_SAFE_PATHS, "data.order.uid", "data.order_uid"],
  sensitive: { ...PATIENT_DATA, ...DOCTOR_DATA, "data.prescription_file.**": "prescription_file", "data.medication.**": "medication", "data.products.**": "medication" },
};

/** Stock of a pharmacy's product (docs/rxscale.md#other-events): catalogue data, no patient in it. */
const SKU_STOCK: EventPolicy = {
  safe: [...UNKNOWN_TYPE_SAFE_PATHS, "data.external_id", "data.price", "data.stock", "data.pharmacy", "data.pharmacy.uid", "data.sku.**"],
  sensitive: {},
};

/** Appointments (docs/rxscale.md#other-events): who meets which doctor, and for what, is health data. */
const APPOINTMENT: EventPolicy = {
  safe: [...UNKNOWN_TYPE_SAFE_PATHS, "data.meeting_type"],
  sensitive: {
    ...PATIENT_DATA,
    ...DOCTOR_DATA,
    "data.appointment_type_uid": "appointment",
    "data.appointment_type_name": "appointment",
    "data.start_at": "appointment",
    "data.starts_at": "appointment",
    "data.end_at": "appointment",
    "data.ends_at": "appointment",
    "data.notes": "free_text",
  },
};

/** The policy of each event type RxWatch knows (lib/rxscale/event-catalogue.ts, plus the default order and prescription wire names). */
export const REDACTION_POLICY: Readonly<Record<string, EventPolicy>> = {
  pharmacy_order_created: PHARMACY_ORDER,
  pharmacy_order_updated: PHARMACY_ORDER,
  pharmacy_sku_stock_updated: SKU_STOCK,
  patient_doctor_meeting_updated: APPOINTMENT,
  appointment_reminder_due: APPOINTMENT,
  order_created: PATIENT_ORDER,
  order_updated: PATIENT_ORDER,
  prescription_approved: PRESCRIPTION,
  prescription_signed: PRESCRIPTION,
  prescription_declined: PRESCRIPTION,
};

const UNKNOWN_TYPE: EventPolicy = { safe: UNKNOWN_TYPE_SAFE_PATHS, sensitive: {} };

// ─── Matching ─────────────────────────────────────────────────────────────────

interface CompiledPattern {
  segments: string[];
  isSubtree: boolean;
}

function compile(pattern: string): CompiledPattern {
  const isSubtree = pattern.endsWith(".**");
  const body = isSubtree ? pattern.slice(0, -3) : pattern;
  const segments = body.split(".").flatMap((part) => (part.endsWith("[]") ? [part.slice(0, -2), "[]"] : [part]));
  return { segments, isSubtree };
}

function matches(pattern: CompiledPattern, path: readonly string[]): boolean {
  if (pattern.isSubtree ? path.length < pattern.segments.length : path.length !== pattern.segments.length) return false;
  return pattern.segments.every((segment, index) => segment === path[index]);
}

interface CompiledPolicy {
  safe: CompiledPattern[];
  /** Most specific first: exact patterns, then subtrees from the deepest. */
  sensitive: { pattern: CompiledPattern; category: RedactionCategory }[];
  opaque: { pattern: CompiledPattern; category: RedactionCategory }[];
}

function compilePolicy(policy: EventPolicy): CompiledPolicy {
  const sensitive = Object.entries(policy.sensitive).map(([pattern, category]) => ({ pattern: compile(pattern), category }));
  sensitive.sort((a, b) => Number(a.pattern.isSubtree) - Number(b.pattern.isSubtree) || b.pattern.segments.length - a.pattern.segments.length);
  return {
    safe: policy.safe.map(compile),
    sensitive,
    opaque: Object.entries(policy.opaque ?? {}).map(([pattern, category]) => ({ pattern: compile(pattern), category })),
  };
}

const compiled = new Map<EventPolicy, CompiledPolicy>();

function compiledPolicyOf(eventType: string | null): CompiledPolicy {
  const policy = (eventType !== null && Object.hasOwn(REDACTION_POLICY, eventType) ? REDACTION_POLICY[eventType] : undefined) ?? UNKNOWN_TYPE;
  let found = compiled.get(policy);
  if (!found) {
    found = compilePolicy(policy);
    compiled.set(policy, found);
  }
  return found;
}

/** True when the event type has a policy of its own (else the strict unknown-type one applies). */
export function hasRedactionPolicy(eventType: string): boolean {
  return Object.hasOwn(REDACTION_POLICY, eventType);
}

// ─── Redaction ────────────────────────────────────────────────────────────────

/**
 * Masks everything in `json` (a parsed webhook body) the viewer may not see
 * under `eventType`'s policy (the stricter unknown-type policy when null or
 * unknown). Never throws; never returns a value from a masked path.
 */
export function redactPayload(eventType: string | null, json: unknown): Redaction {
  const policy = compiledPolicyOf(eventType);
  const masked = new Map<string, RedactionCategory>();

  const mask = (path: readonly string[], category: RedactionCategory): string => {
    const key = path.length === 0 ? "$" : path.join(".").replaceAll(".[]", "[]");
    if (!masked.has(key)) masked.set(key, category);
    return placeholderOf(category);
  };

  const categoryOf = (path: readonly string[]): RedactionCategory => policy.sensitive.find((entry) => matches(entry.pattern, path))?.category ?? "unlisted";

  const walk = (value: unknown, path: string[], isKeyMasked: boolean): JsonValue => {
    if (path.length >= MAX_MASKED_DEPTH && value !== null && typeof value === "object") return mask(path, "unlisted");
    const opaque = policy.opaque.find((entry) => matches(entry.pattern, path));
    if (opaque && value !== null && typeof value === "object") {
      const isEmpty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
      return isEmpty ? (Array.isArray(value) ? [] : {}) : mask(path, opaque.category);
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, [...path, "[]"], isKeyMasked));
    if (value !== null && typeof value === "object") {
      const out: Record<string, JsonValue> = {};
      let maskedKeys = 0;
      for (const [key, child] of Object.entries(value)) {
        const isFieldName = FIELD_NAME.test(key);
        const shownKey = isFieldName ? key : `‹key ${++maskedKeys}›`;
        out[shownKey] = walk(child, [...path, isFieldName ? key : MASKED_KEY], isKeyMasked || !isFieldName);
      }
      return out;
    }
    if (value === null) return null;
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return mask(path, "unlisted");
    const isSafe = !isKeyMasked && policy.safe.some((pattern) => matches(pattern, path));
    return isSafe ? value : mask(path, categoryOf(path));
  };

  const value = walk(json, [], false);
  return { value, maskedPaths: [...masked].map(([path, category]) => ({ path, category })) };
}

/** A body that is not JSON (or not UTF-8) cannot be told apart field by field: it is masked whole. */
export function redactUnparsedBody(): Redaction {
  return { value: placeholderOf("unparsed"), maskedPaths: [{ path: "$", category: "unparsed" }] };
}

/**
 * Redacts a raw body's text: JSON is masked field by field under its event
 * type's policy (`eventType` null: the body's own `event_type` when it is a
 * string, else the unknown-type policy); anything else as a whole. `text` of
 * the result is the pretty-printed redacted document.
 */
export function redactBodyText(eventType: string | null, text: string): Redaction & { text: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const whole = redactUnparsedBody();
    return { ...whole, text: placeholderOf("unparsed") };
  }
  const ownType = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? Reflect.get(parsed, "event_type") : undefined;
  const redaction = redactPayload(eventType ?? (typeof ownType === "string" ? ownType : null), parsed);
  return { ...redaction, text: JSON.stringify(redaction.value, null, 2) };
}
