import { z } from "zod";
import { LIFECYCLE_TABLE } from "./lifecycle";

/*
 * Payload drift: the shape of a payload (field paths and value types, never
 * values) and the vocabulary of what can change in it. Pure, so the detector,
 * the catalogue and the tests share one reading of a body.
 * See docs/failures-and-alerts.md#payload-drift
 */

export const VALUE_TYPES = ["string", "number", "boolean", "null", "object", "array"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** Nesting read at most: RxScale's bodies nest about five deep; deeper parts are not learned. */
export const MAX_SHAPE_DEPTH = 12;
/** Paths read from one body at most, so one odd body costs bounded work. */
export const MAX_SHAPE_PATHS = 400;
/** Longest path or status string learned; longer ones are not learned (they would be values, not names). */
export const MAX_SHAPE_NAME_CHARS = 200;

/** One body's shape: every path with the types it held (an array's elements may differ), and its status string. */
export interface PayloadShapeReading {
  fields: Map<string, Set<ValueType>>;
  status: string | null;
}

export function valueTypeOf(value: unknown): ValueType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
    case "bigint":
      return "number";
    case "boolean":
      return "boolean";
    default:
      return "object";
  }
}

/**
 * Reads the shape of an envelope: dotted paths from the root, array elements
 * as `[]` (so `data.order_items[].sku.pzn`), each with the types seen there.
 * Bounded by {@link MAX_SHAPE_DEPTH} and {@link MAX_SHAPE_PATHS}; keys that
 * are not plain identifiers are written `‹key›`, so no value turns into a path.
 */
export function readPayloadShape(envelope: Record<string, unknown>): PayloadShapeReading {
  const fields = new Map<string, Set<ValueType>>();
  const walk = (value: unknown, path: string, depth: number): void => {
    if (fields.size >= MAX_SHAPE_PATHS && !fields.has(path)) return;
    const type = valueTypeOf(value);
    const types = fields.get(path) ?? new Set<ValueType>();
    types.add(type);
    fields.set(path, types);
    if (depth >= MAX_SHAPE_DEPTH) return;
    if (type === "array") for (const item of value as unknown[]) walk(item, `${path}[]`, depth + 1);
    else if (type === "object") for (const [key, child] of Object.entries(value as Record<string, unknown>)) walk(child, `${path}.${keyName(key)}`, depth + 1);
  };
  for (const [key, value] of Object.entries(envelope)) walk(value, keyName(key), 1);
  for (const path of fields.keys()) if (path.length > MAX_SHAPE_NAME_CHARS) fields.delete(path);
  const data = envelope.data;
  const status = typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>).status : undefined;
  return { fields, status: typeof status === "string" && status.length > 0 && status.length <= MAX_SHAPE_NAME_CHARS ? status : null };
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

function keyName(key: string): string {
  return FIELD_NAME.test(key) ? key : "‹key›";
}

/** The parent of a path (`data.order.uid` → `data.order`, `data.items[]` → `data.items`); null at the root. */
export function parentPath(path: string): string | null {
  if (path.endsWith("[]")) return path.slice(0, -2);
  const dot = path.lastIndexOf(".");
  return dot === -1 ? null : path.slice(0, dot);
}

/** Every status string RxScale documents, of any entity: never reported as new. */
export const DOCUMENTED_STATUSES: ReadonlySet<string> = new Set(Object.values(LIFECYCLE_TABLE).flatMap((table) => Object.keys(table)));

/**
 * What changed in a payload:
 * - `new_field`: a path never seen (nested fields of a new object come with it, not on their own);
 * - `vanished_field`: a path that arrived in nearly every payload stopped arriving;
 * - `type_changed`: a path held a value of a type never seen there (e.g. a number where a string was); null
 *   coming or going next to a type is an optional value, not a change;
 * - `new_status`: a status string neither documented nor seen before.
 */
export const DRIFT_CHANGES = ["new_field", "vanished_field", "type_changed", "new_status"] as const;
export const driftChangeSchema = z.enum(DRIFT_CHANGES);
export type DriftChange = z.infer<typeof driftChangeSchema>;

const iso = z.iso.datetime();

/** A payload drift incident's evidence: which shape, what changed, and a masked example (the masking policy's placeholders stand for data). */
export const payloadDriftEvidenceSchema = z.object({
  kind: z.literal("payload_drift"),
  eventType: z.string(),
  payloadVersion: z.string(),
  change: driftChangeSchema,
  /** The field path; the status string for `new_status`. */
  path: z.string(),
  /** Types seen at the path before the change (empty for a new field or status). */
  typesBefore: z.array(z.string()),
  /** Types seen at the path in the payload that showed the change (empty for a vanished field). */
  typesNow: z.array(z.string()),
  /** Nested paths that came or went with it. */
  nestedPaths: z.array(z.string()),
  /** A payload that showed the change, masked (docs/data-protection.md#the-masking-policy); null for a vanished field. */
  maskedExample: z.string().nullable(),
  /** Set when an admin marked the change expected: it no longer counts or raises. */
  expected: z.object({ at: iso, by: z.string() }).nullable(),
});
export type PayloadDriftEvidence = z.infer<typeof payloadDriftEvidenceSchema>;

const CHANGE_WORDS: Record<DriftChange, string> = {
  new_field: "new field",
  vanished_field: "field stopped arriving",
  type_changed: "type changed",
  new_status: "new status",
};

export function driftChangeLabel(change: DriftChange): string {
  return CHANGE_WORDS[change];
}

// ─── Event catalogue ────────────────────────────────────────────────────────

export const catalogueFieldSchema = z.object({
  path: z.string(),
  types: z.array(z.string()),
  /** Share of the type's observed events that carried the field, 0–100. */
  seenPercent: z.number().min(0).max(100),
  lastSeenAt: iso,
});

export const catalogueEventTypeSchema = z.object({
  eventType: z.string(),
  /** Payload versions seen, most events first. */
  payloadVersions: z.array(z.string()),
  /** Events the drift detector observed (all time). */
  observed: z.number().int().nonnegative(),
  fields: z.array(catalogueFieldSchema),
  statuses: z.array(z.object({ status: z.string(), count: z.number().int().nonnegative(), isDocumented: z.boolean() })),
  /** Events received in the last 24 hours and 7 days. */
  volume24h: z.number().int().nonnegative(),
  volume7d: z.number().int().nonnegative(),
  lastSeenAt: iso,
  /** Still learning its shape silently (docs/failures-and-alerts.md#payload-drift). */
  isLearning: z.boolean(),
});
export type CatalogueEventType = z.infer<typeof catalogueEventTypeSchema>;

export const eventCatalogueDtoSchema = z.object({ eventTypes: z.array(catalogueEventTypeSchema) });
export type EventCatalogueDto = z.infer<typeof eventCatalogueDtoSchema>;

export const markExpectedDtoSchema = z.object({ key: z.string(), expectedAt: iso });
