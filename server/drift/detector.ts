import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { DOCUMENTED_STATUSES, parentPath, payloadDriftEvidenceSchema, readPayloadShape, type DriftChange, type PayloadDriftEvidence } from "@/lib/drift";
import { redactPayload } from "@/lib/redaction";
import { log } from "@/server/core/logger";
import { processSingleton } from "@/server/core/process-slot";
import { summarizeError } from "@/server/processing/errors";
import { insertIncident, listUnresolvedIncidentsOfKind, updateIncidentIf } from "@/server/repositories/incidents";
import { addShapeDeliveries, findPayloadShape, listPayloadShapeEntries, writeShapeEntry, type ShapeKey } from "@/server/repositories/payload-shapes";

/*
 * The payload drift detector. The worker hands it every event it processes;
 * it keeps each shape it has seen in memory, so an event that looks like the
 * ones before costs a walk over its keys and no write. It writes when
 * something is new (a path, a type at a path, a status) and, every
 * DRIFT_FLUSH_INTERVAL_MS, the counts since the last write and the fields that
 * stopped arriving. Each change raises one incident, keyed by the change
 * itself, so instances noticing the same change at once raise it once.
 * See docs/failures-and-alerts.md#payload-drift
 */

/** A shape's first events are learned silently: a new install (or a new type) is not a change. */
export const LEARNING_EVENTS = 20;
/** A field is missing for good after this many events in a row without it… */
export const VANISHED_AFTER_EVENTS = 20;
/** …if at least this share of the events before carried it (optional fields come and go). */
export const VANISHED_MIN_PRESENCE = 0.9;
export const DRIFT_FLUSH_INTERVAL_MS = 60_000;
/** Paths and statuses learned per shape at most; beyond, a body that keeps inventing keys costs nothing. */
export const MAX_ENTRIES_PER_SHAPE = 1_000;
/** Observations waiting for the detector at most; beyond, they are skipped (counts only, never processing). */
export const MAX_QUEUED_OBSERVATIONS = 5_000;
/** Characters of masked example kept with an incident. */
export const MAX_EXAMPLE_CHARS = 4_000;

/** What the detector needs of an event: the inbox event's type, version and parsed envelope. */
export interface ObservedEvent {
  type: string;
  payloadVersion: string;
  envelope: Record<string, unknown>;
}

interface FieldMemory {
  types: Set<string>;
  /** Events that carried it: stored plus not yet written. */
  count: number;
  unwritten: number;
  missedInARow: number;
  isMissedChanged: boolean;
  isTypesChanged: boolean;
  /** Its vanishing was reported; it no longer counts misses. */
  isVanished: boolean;
  firstSeenAt: Date;
  lastSeenAt: Date | null;
}

interface StatusMemory {
  unwritten: number;
  isNew: boolean;
  firstSeenAt: Date;
  lastSeenAt: Date | null;
}

/** An unresolved drift incident this instance counts occurrences for. */
interface OpenChange {
  key: string;
  evidence: PayloadDriftEvidence;
  unwritten: number;
  lastSeenAt: Date | null;
}

interface ShapeMemory {
  key: ShapeKey;
  isStored: boolean;
  events: number;
  unwrittenEvents: number;
  firstSeenAt: Date;
  lastSeenAt: Date | null;
  fields: Map<string, FieldMemory>;
  statuses: Map<string, StatusMemory>;
  changes: Map<string, OpenChange>;
}

interface Novelty {
  change: DriftChange;
  path: string;
  typesBefore: string[];
  typesNow: string[];
  nestedPaths: string[];
}

const typesSchema = z.array(z.string());

/** The incident key of one change: stable across instances, short and URL-safe whatever the path holds. */
export function driftIncidentKey(shape: ShapeKey, change: DriftChange, path: string, typesNow: readonly string[]): string {
  const identity = JSON.stringify([shape.eventType, shape.payloadVersion, change, path, change === "type_changed" ? [...typesNow].sort() : []]);
  return `payload_drift:${createHash("sha256").update(identity).digest("hex").slice(0, 24)}`;
}

function shapeId(key: ShapeKey): string {
  return JSON.stringify([key.eventType, key.payloadVersion]);
}

function maskedExample(eventType: string, envelope: Record<string, unknown>): string {
  const text = JSON.stringify(redactPayload(eventType, envelope).value);
  return text.length <= MAX_EXAMPLE_CHARS ? text : `${text.slice(0, MAX_EXAMPLE_CHARS - 1)}…`;
}

/** Whether an event shows a change, for counting an open incident's occurrences. */
function shows(evidence: PayloadDriftEvidence, fields: ReadonlyMap<string, ReadonlySet<string>>, status: string | null): boolean {
  switch (evidence.change) {
    case "new_field":
      return fields.has(evidence.path);
    case "vanished_field":
      return !fields.has(evidence.path);
    case "type_changed":
      return evidence.typesNow.some((type) => fields.get(evidence.path)?.has(type) === true);
    case "new_status":
      return status === evidence.path;
  }
}

export interface DriftDetector {
  /** Queues an event's shape for learning; never throws and never waits for the database. */
  observe(event: ObservedEvent): void;
  /** Waits for queued observations, then writes counts and raises vanished fields. */
  flush(): Promise<void>;
  /** Forgets a field of a shape (a vanished field marked expected). */
  forgetField(shape: ShapeKey, path: string): Promise<void>;
}

export function createDriftDetector(options: { now?: () => Date } = {}): DriftDetector {
  const now = options.now ?? (() => new Date());
  const shapes = new Map<string, ShapeMemory>();
  let tail: Promise<void> = Promise.resolve();
  let queued = 0;
  let skipped = 0;
  let timer: NodeJS.Timeout | undefined;

  function enqueue(work: () => Promise<void>): Promise<void> {
    const run = tail.then(work).catch((error: unknown) => log("error", "payload drift detector failed; its counts may trail", { error: summarizeError(error) }));
    tail = run;
    return run;
  }

  async function load(key: ShapeKey): Promise<ShapeMemory> {
    const id = shapeId(key);
    const known = shapes.get(id);
    if (known) return known;
    const [row, entries, incidents] = await Promise.all([findPayloadShape(key), listPayloadShapeEntries(key), listUnresolvedIncidentsOfKind("payload_drift")]);
    const at = now();
    const shape: ShapeMemory = { key, isStored: row !== null, events: row?.deliveries ?? 0, unwrittenEvents: 0, firstSeenAt: row?.firstSeenAt ?? at, lastSeenAt: null, fields: new Map(), statuses: new Map(), changes: new Map() };
    for (const entry of entries) {
      if (entry.kind === "status") {
        shape.statuses.set(entry.name, { unwritten: 0, isNew: false, firstSeenAt: entry.firstSeenAt, lastSeenAt: null });
        continue;
      }
      const types = typesSchema.catch([]).parse(JSON.parse(entry.types));
      shape.fields.set(entry.name, { types: new Set(types), count: entry.count, unwritten: 0, missedInARow: entry.missedInARow, isMissedChanged: false, isTypesChanged: false, isVanished: false, firstSeenAt: entry.firstSeenAt, lastSeenAt: null });
    }
    for (const incident of incidents) {
      let evidence: PayloadDriftEvidence;
      try {
        const parsed = payloadDriftEvidenceSchema.safeParse(JSON.parse(incident.evidence));
        if (!parsed.success) continue;
        evidence = parsed.data;
      } catch {
        continue;
      }
      if (evidence.eventType !== key.eventType || evidence.payloadVersion !== key.payloadVersion || evidence.expected) continue;
      shape.changes.set(incident.key, { key: incident.key, evidence, unwritten: 0, lastSeenAt: null });
      const field = evidence.change === "vanished_field" ? shape.fields.get(evidence.path) : undefined;
      if (field) field.isVanished = true;
    }
    shapes.set(id, shape);
    return shape;
  }

  /** Raises one change's incident (or finds it raised by another instance) and counts it from now on. */
  async function raise(shape: ShapeMemory, novelty: Novelty, example: string | null, count: number, at: Date): Promise<void> {
    const key = driftIncidentKey(shape.key, novelty.change, novelty.path, novelty.typesNow);
    const evidence: PayloadDriftEvidence = { kind: "payload_drift", ...shape.key, ...novelty, maskedExample: example, expected: null };
    const isInserted = await insertIncident({ key, kind: "payload_drift", state: "open", firstSeenAt: at, lastSeenAt: at, count, openedAt: at, evidence: JSON.stringify(evidence) });
    if (isInserted) log("warn", "RxScale's payload changed", { group: key, eventType: shape.key.eventType, payloadVersion: shape.key.payloadVersion, change: novelty.change });
    if (!shape.changes.has(key)) shape.changes.set(key, { key, evidence, unwritten: 0, lastSeenAt: null });
  }

  /** Writes everything not yet written for a shape. */
  async function write(shape: ShapeMemory): Promise<void> {
    if (!shape.isStored || shape.unwrittenEvents > 0) {
      await addShapeDeliveries(shape.key, shape.unwrittenEvents, shape.firstSeenAt, shape.lastSeenAt ?? shape.firstSeenAt);
      shape.isStored = true;
      shape.unwrittenEvents = 0;
    }
    for (const [name, field] of shape.fields) {
      if (field.unwritten === 0 && !field.isMissedChanged && !field.isTypesChanged) continue;
      await writeShapeEntry(shape.key, { kind: "field", name, types: [...field.types], count: field.unwritten, missedInARow: field.missedInARow, firstSeenAt: field.firstSeenAt, lastSeenAt: field.lastSeenAt });
      field.unwritten = 0;
      field.isMissedChanged = false;
      field.isTypesChanged = false;
    }
    for (const [name, status] of shape.statuses) {
      if (status.unwritten === 0 && !status.isNew) continue;
      await writeShapeEntry(shape.key, { kind: "status", name, types: [], count: status.unwritten, missedInARow: null, firstSeenAt: status.firstSeenAt, lastSeenAt: status.lastSeenAt });
      status.unwritten = 0;
      status.isNew = false;
    }
    for (const change of shape.changes.values()) {
      if (change.unwritten === 0 || !change.lastSeenAt) continue;
      const isOpen = await updateIncidentIf(change.key, ["open", "acknowledged"], { count: { increment: change.unwritten }, lastSeenAt: change.lastSeenAt });
      change.unwritten = 0;
      // Resolved or marked expected: it no longer counts.
      if (!isOpen) shape.changes.delete(change.key);
    }
  }

  async function observeNow(event: ObservedEvent): Promise<void> {
    queued -= 1;
    const shape = await load({ eventType: event.type, payloadVersion: event.payloadVersion });
    const at = now();
    const reading = readPayloadShape(event.envelope);
    const isLearning = shape.events < LEARNING_EVENTS;
    shape.events += 1;
    shape.unwrittenEvents += 1;
    shape.lastSeenAt = at;
    const novelties: Novelty[] = [];
    const newPaths = new Set<string>();
    const typesBefore = new Map<string, ReadonlySet<string>>();
    let entries = shape.fields.size + shape.statuses.size;
    for (const [path, types] of reading.fields) {
      const field = shape.fields.get(path);
      if (!field) {
        if (entries >= MAX_ENTRIES_PER_SHAPE) continue;
        entries += 1;
        shape.fields.set(path, { types: new Set(types), count: 1, unwritten: 1, missedInARow: 0, isMissedChanged: false, isTypesChanged: true, isVanished: false, firstSeenAt: at, lastSeenAt: at });
        newPaths.add(path);
        continue;
      }
      field.count += 1;
      field.unwritten += 1;
      field.lastSeenAt = at;
      if (field.missedInARow !== 0) field.isMissedChanged = true;
      field.missedInARow = 0;
      field.isVanished = false;
      const added = [...types].filter((type) => !field.types.has(type));
      if (added.length === 0) continue;
      typesBefore.set(path, new Set(field.types));
      // null next to a type is an optional value filled in or left out, not a change of type.
      const before = [...field.types].filter((type) => type !== "null");
      if (before.length > 0 && added.some((type) => type !== "null")) novelties.push({ change: "type_changed", path, typesBefore: [...field.types], typesNow: [...types], nestedPaths: [] });
      for (const type of added) field.types.add(type);
      field.isTypesChanged = true;
    }
    for (const path of newPaths) {
      // A new object or array brings its nested fields along: one change, not one per field.
      if (isBelowAny(path, newPaths)) continue;
      if (isFilledIn(path, shape.fields, typesBefore)) continue;
      const nestedPaths = [...newPaths].filter((candidate) => candidate !== path && isBelow(candidate, path));
      novelties.push({ change: "new_field", path, typesBefore: [], typesNow: [...(reading.fields.get(path) ?? [])], nestedPaths });
    }
    for (const [path, field] of shape.fields) {
      if (reading.fields.has(path) || field.isVanished) continue;
      field.missedInARow += 1;
      field.isMissedChanged = true;
    }
    if (reading.status !== null) {
      const status = shape.statuses.get(reading.status);
      if (status) {
        status.unwritten += 1;
        status.lastSeenAt = at;
      } else if (entries < MAX_ENTRIES_PER_SHAPE) {
        shape.statuses.set(reading.status, { unwritten: 1, isNew: true, firstSeenAt: at, lastSeenAt: at });
        if (!DOCUMENTED_STATUSES.has(reading.status)) novelties.push({ change: "new_status", path: reading.status, typesBefore: [], typesNow: [], nestedPaths: [] });
      }
    }
    for (const change of shape.changes.values()) {
      if (!shows(change.evidence, reading.fields, reading.status)) continue;
      change.unwritten += 1;
      change.lastSeenAt = at;
    }
    if (novelties.length === 0 && shape.isStored) return;
    await write(shape);
    if (isLearning) return;
    const example = maskedExample(event.type, event.envelope);
    for (const novelty of novelties) await raise(shape, novelty, example, 1, at);
  }

  /** Fields that stopped arriving: a run of misses after a history of nearly always being there. */
  async function raiseVanished(shape: ShapeMemory): Promise<void> {
    if (shape.events < LEARNING_EVENTS + VANISHED_AFTER_EVENTS) return;
    const vanished = [...shape.fields].filter(([, field]) => !field.isVanished && field.missedInARow >= VANISHED_AFTER_EVENTS && field.count >= VANISHED_MIN_PRESENCE * (shape.events - field.missedInARow));
    const paths = new Set(vanished.map(([path]) => path));
    const at = now();
    for (const [path, field] of vanished) {
      field.isVanished = true;
      if (isBelowAny(path, paths)) continue;
      const nestedPaths = [...paths].filter((candidate) => candidate !== path && isBelow(candidate, path));
      await raise(shape, { change: "vanished_field", path, typesBefore: [...field.types], typesNow: [], nestedPaths }, null, field.missedInARow, at);
    }
  }

  async function flushNow(): Promise<void> {
    for (const shape of shapes.values()) {
      await raiseVanished(shape);
      await write(shape);
    }
    if (skipped > 0) {
      log("warn", "payload drift detector skipped events while behind; their shape was not learned", { skipped });
      skipped = 0;
    }
  }

  return {
    observe(event) {
      if (queued >= MAX_QUEUED_OBSERVATIONS) {
        skipped += 1;
        return;
      }
      queued += 1;
      void enqueue(() => observeNow(event));
      if (!timer) {
        timer = setInterval(() => void enqueue(flushNow), DRIFT_FLUSH_INTERVAL_MS);
        timer.unref();
      }
    },
    flush() {
      return enqueue(flushNow);
    },
    forgetField(key, path) {
      return enqueue(async () => {
        const shape = shapes.get(shapeId(key));
        if (!shape) return;
        for (const name of [...shape.fields.keys()]) if (name === path || isBelow(name, path)) shape.fields.delete(name);
      });
    },
  };
}

/**
 * Whether a new path is an optional value filled in rather than a new field:
 * the first elements of an array that was always empty, or what is inside a
 * value that was always null.
 */
function isFilledIn(path: string, fields: ReadonlyMap<string, FieldMemory>, typesBefore: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  const parent = parentPath(path);
  const known = parent === null ? undefined : fields.get(parent);
  if (parent === null || !known) return false;
  if (path.endsWith("[]")) return true;
  const before = typesBefore.get(parent) ?? known.types;
  return [...before].every((type) => type === "null");
}

function isBelow(path: string, ancestor: string): boolean {
  for (let parent = parentPath(path); parent !== null; parent = parentPath(parent)) if (parent === ancestor) return true;
  return false;
}

function isBelowAny(path: string, ancestors: ReadonlySet<string>): boolean {
  for (let parent = parentPath(path); parent !== null; parent = parentPath(parent)) if (ancestors.has(parent)) return true;
  return false;
}

/** This process's detector. */
export function payloadDrift(): DriftDetector {
  return processSingleton("rxwatchPayloadDrift", () => createDriftDetector());
}

/** The worker's one call: learn an event's shape (in the background; never fails the event). */
export function observePayloadShape(event: ObservedEvent): void {
  payloadDrift().observe(event);
}
