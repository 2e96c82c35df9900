// `npm run bench:queries [-- --orders 100000 --events 1000000 --runs 200 --warmup 20 --pg --db FILE --keep --explain --strict]`
//
// Seeds a realistic history and times the orders page's server functions
// and the Insights chart queries (targets: every p95 < 50 ms, Insights < 300 ms,
// on SQLite at 1 000 000 events). Runs under tsx
// with the react-server condition so `server-only` resolves. See
// docs/development.md#benchqueries.
import { spawn } from "node:child_process";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { z } from "zod";
import { DELIVERY_TYPES, MEDICATIONS, type Medication } from "@/emulator/fake-data";
import { planOrderLifecycle, SUBJECT_OF_EVENT, type PlannedEvent } from "@/emulator/lifecycle";
import { DEFAULT_EVENT_NAMES, type EventKey } from "@/emulator/event-names";
import { createRandom, integerBetween, pick, type Random } from "@/emulator/random";
import { FACT_KINDS, STAGES, type FactKind } from "@/lib/lifecycle";
import { extractOrderFact, extractSearchKeys, type SearchKeys } from "@/lib/order-facts";
import type { OrderFact } from "@/lib/order-projection";
import { ordersQuerySchema } from "@/lib/orders";
import { dataUidOf } from "@/lib/rxscale/envelope";
import { eventNameSettingsSchema, stuckThresholdSettingsSchema } from "@/lib/settings";
import { patientSearchKey } from "@/server/crypto/search-key";
import { projectOrderRow } from "@/server/orders/order-projector";
import { sealDeliveryBody } from "@/server/repositories/delivery-bodies";
import type { OrderWrite } from "@/server/repositories/orders";

const scriptPath = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(scriptPath), "..");

const { values: options } = parseArgs({
  options: {
    orders: { type: "string", default: "100000" },
    events: { type: "string", default: "1000000" },
    runs: { type: "string", default: "200" },
    warmup: { type: "string", default: "20" },
    seed: { type: "string", default: "20261128" },
    pg: { type: "boolean", default: false },
    db: { type: "string" },
    keep: { type: "boolean", default: false },
    explain: { type: "boolean", default: false },
    strict: { type: "boolean", default: false },
    /** Internal: run the measurements against DATABASE_URL and write them as JSON to this file. */
    measure: { type: "string" },
    samples: { type: "string" },
  },
});

// Seeding (this process) seals bodies and hashes patient uids; measuring (a child per database) searches by them.
// Both must use one key, whatever DATABASE_URL says: a fixed one unless the caller set RXWATCH_SECRET_KEY.
process.env.RXWATCH_SECRET_KEY ||= "bench-queries-secret-key-not-for-production-0001";

/** Issue 5: each query's p95 on SQLite with 1 000 000 events / 100 000 orders. */
const TARGET_P95_MS = 50;
/** Issue 16: each Insights chart query's p95 at the same size (docs/insights.md). */
const INSIGHTS_TARGET_P95_MS = 300;
const INSIGHTS_CASE_PREFIX = "insights: ";
const targetOf = (name: string) => (name.startsWith(INSIGHTS_CASE_PREFIX) ? INSIGHTS_TARGET_P95_MS : TARGET_P95_MS);
/** An Insights query reads a whole range, so fewer runs keep the benchmark short. */
const INSIGHTS_MAX_RUNS = 40;
/** The depth (rows from the top) from which the deep-page cursors are taken; half the list in smaller runs. */
const DEEP_PAGE_ROWS = 50_000;
const DEEP_CURSORS = 10;

const log = (message: string) => console.error(`[bench] ${message}`);
const sampleSchema = z.object({
  orderUids: z.array(z.string()),
  pharmacyOrderUids: z.array(z.string()),
  pharmacies: z.array(z.string()),
  orders: z.number().int(),
  events: z.number().int(),
});
type Samples = z.infer<typeof sampleSchema>;

const statSchema = z.object({ name: z.string(), p50: z.number(), p95: z.number(), max: z.number(), mean: z.number(), runs: z.number().int() });
type Stat = z.infer<typeof statSchema>;
const measureResultSchema = z.object({ stats: z.array(statSchema), problems: z.array(z.string()), plans: z.array(z.object({ name: z.string(), sql: z.string(), plan: z.array(z.string()) })) });
type MeasureResult = z.infer<typeof measureResultSchema>;

// ===========================================================================
// Generating the history

/*
 * The history follows the emulator's lifecycle and payloads, plus the untidy
 * parts a real shop sees (stalls, superseded events, gaps, a failed first run):
 * docs/development.md#benchqueries.
 */

const HISTORY_DAYS = 90;
const BRANCH_RATES = { declined: 0.04, onHold: 0.05, cancelled: 0.05, problem: 0 };
/** Orders whose next event never comes; those older than their stage's budget are stuck. */
const STALL_RATE = 0.005;
/** Orders whose "prescription signed" never reached RxWatch (a gap in the timeline). */
const MISSING_SIGNATURE_RATE = 0.003;
/** Orders where one pharmacy-order event arrives after its successor (superseded in the trace). */
const LATE_ARRIVAL_RATE = 0.003;
/** Events whose first processing attempt failed and whose retry succeeded. */
const RETRIED_RATE = 0.001;

/** Seconds between one step and the next, drawn log-uniformly between the bounds, keyed by the status the step enters. */
const STEP_DELAY_S: Record<string, readonly [number, number]> = {
  approved: [600, 18 * 3600],
  declined: [600, 18 * 3600],
  signed: [300, 8 * 3600],
  "waiting for pharmacy": [60, 2 * 3600],
  "pending review": [120, 6 * 3600],
  "in-progress": [300, 12 * 3600],
  "on-hold": [1800, 12 * 3600],
  ready_for_pickup: [3600, 36 * 3600],
  completed: [3600, 72 * 3600],
  cancelled: [600, 24 * 3600],
};
const RESUME_DELAY_S: readonly [number, number] = [3600, 30 * 3600];

const PHARMACY_PREFIXES = ["Löwen", "Stern", "Rathaus", "Adler", "Engel", "Linden", "Rosen", "Sonnen", "Markt", "Park", "Hirsch", "Schwanen", "Einhorn", "Bären", "Kronen", "Brunnen", "Burg", "Tor", "Hof", "Glocken"] as const;
const PHARMACY_SUFFIXES = ["am Markt", "Nord", "Süd", "im Zentrum", "am Bahnhof", "West", "Ost", "am Dom", "an der Oper", "im Center"] as const;
const FIRST_NAMES = ["Erika", "Max", "Anna", "Lukas", "Mia", "Leon", "Sofia", "Paul", "Emma", "Jonas", "Hannah", "Felix", "Lea", "Noah", "Marie", "Elias"] as const;
const LAST_NAMES = ["Beispiel", "Mustermann", "Schmidt", "Müller", "Weber", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch", "Richter", "Klein", "Wolf", "Neumann"] as const;
const STREETS = ["Musterweg", "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schulstraße"] as const;
const CITIES: readonly [{ city: string; zip: number }, ...{ city: string; zip: number }[]] = [
  { city: "Hamburg", zip: 20095 },
  { city: "Berlin", zip: 10115 },
  { city: "München", zip: 80331 },
  { city: "Köln", zip: 50667 },
  { city: "Leipzig", zip: 4103 },
];
/** Worker ids as server/processing/worker.ts makes them (host:pid:random). */
const WORKERS = ["rxwatch-1:4242:9f31c2", "rxwatch-1:5120:07ad4e", "rxwatch-1:6311:c05b81"];
const SIGNING_SECRET = "whsec_bench_queries_0001";

interface Pharmacy {
  uid: string;
  display_name: string;
}

interface OrderCase {
  orderUid: string;
  prescriptionUid: string;
  pharmacyOrderUid: string;
  name: string;
  patient: { uid: string; display_name: string; email: string; date_of_birth: string; street: string; house_number: string; zip_code: string; city: string };
  doctor: { uid: string; display_name: string };
  pharmacy: Pharmacy;
  deliveryType: (typeof DELIVERY_TYPES)[number];
  items: { itemUid: string; pharmacySkuUid: string; externalId: string; stock: number; amount: number; medication: Medication }[];
  priority: number;
  shippingCostsAmount: number;
  createdAt: number;
  pharmacyOrderCreatedAt: number | null;
}

interface PlannedOrderEvent {
  key: EventKey;
  status: string;
  updatedAt: number;
  arrivesLate: boolean;
}

/** One webhook event as stored: everything needed to write its rows in every table. */
interface SeedEvent {
  order: number;
  key: EventKey;
  kind: FactKind;
  status: string;
  /** `data.updated_at` and the envelope timestamp, Unix seconds. */
  updatedAt: number;
  /** When the request arrived (delivery.received_at), ms. */
  arrivalMs: number;
  /** When ingest committed it (webhook_event.first_received_at, the fact's received_at), ms. */
  storedMs: number;
  processedMs: number;
  attempts: number;
  eventId: string;
  deliveryId: string;
}

/** An `order` row as production's projector makes it, and when it was last written. */
interface OrderRowValues {
  row: OrderWrite;
  updatedAtMs: number;
}

interface History {
  cases: OrderCase[];
  events: SeedEvent[];
  orders: OrderRowValues[];
  nowMs: number;
  stuckOrders: number;
}

function hex(random: Random, length: number): string {
  let text = "";
  for (let index = 0; index < length; index += 1) text += Math.floor(random() * 16).toString(16);
  return text;
}

function logUniform(random: Random, [low, high]: readonly [number, number]): number {
  return Math.round(Math.exp(Math.log(low) + random() * (Math.log(high) - Math.log(low))));
}

/** A UUID v7 like server/core/time-ordered-id.ts makes, with its random bits from the seeded source so a seed reproduces the data. */
function timeOrderedId(random: Random, ms: number): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes.writeUInt32BE(Math.floor(random() * 2 ** 32), 6);
  bytes.writeUInt32BE(Math.floor(random() * 2 ** 32), 10);
  bytes.writeUInt16BE(Math.floor(random() * 2 ** 16), 14);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const text = bytes.toString("hex");
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

function makePharmacies(random: Random): { list: Pharmacy[]; cumulative: number[] } {
  const list: Pharmacy[] = [];
  const seen = new Set<string>();
  while (list.length < 40) {
    const name = `${pick(random, PHARMACY_PREFIXES)}-Apotheke ${pick(random, PHARMACY_SUFFIXES)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    list.push({ uid: `ph-${hex(random, 8)}`, display_name: name });
  }
  // A long tail: a few pharmacies take most orders, as with real shops.
  const weights = list.map((_, index) => 1 / (index + 1) ** 0.8);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let running = 0;
  return { list, cumulative: weights.map((weight) => (running += weight / total)) };
}

function makeCase(random: Random, index: number, createdAt: number, pharmacies: { list: Pharmacy[]; cumulative: number[] }): OrderCase {
  const draw = random();
  const pharmacyIndex = Math.max(0, pharmacies.cumulative.findIndex((bound) => draw < bound));
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);
  const city = pick(random, CITIES);
  const itemCount = random() < 0.7 ? 1 : 2;
  return {
    orderUid: `ord-${hex(random, 12)}`,
    prescriptionUid: `px-${hex(random, 12)}`,
    pharmacyOrderUid: `po-${hex(random, 12)}`,
    name: `#${1000 + index}`,
    patient: {
      uid: `pat-${hex(random, 10)}`,
      display_name: `${first} ${last}`,
      email: `${first}.${last}@example.invalid`.toLowerCase(),
      date_of_birth: `19${integerBetween(random, 40, 99)}-0${integerBetween(random, 1, 9)}-1${integerBetween(random, 0, 9)}`,
      street: pick(random, STREETS),
      house_number: String(integerBetween(random, 1, 120)),
      zip_code: String(city.zip + integerBetween(random, 0, 80)).padStart(5, "0"),
      city: city.city,
    },
    doctor: { uid: `doc-${hex(random, 8)}`, display_name: `Dr. ${pick(random, LAST_NAMES)}` },
    pharmacy: pharmacies.list[pharmacyIndex] ?? pharmacies.list[0] ?? { uid: "ph-0", display_name: "Apotheke" },
    deliveryType: pick(random, DELIVERY_TYPES),
    items: Array.from({ length: itemCount }, () => ({
      itemUid: `oi-${hex(random, 10)}`,
      pharmacySkuUid: `psku-${hex(random, 8)}`,
      externalId: `PMS-${integerBetween(random, 1000, 9999)}`,
      stock: integerBetween(random, 0, 80),
      amount: random() < 0.85 ? 1 : 2,
      medication: pick(random, MEDICATIONS),
    })),
    priority: random() < 0.9 ? 0 : integerBetween(random, 1, 3),
    shippingCostsAmount: pick(random, [0, 495, 695] as const),
    createdAt,
    pharmacyOrderCreatedAt: null,
  };
}

/** Walks an order's planned steps through time until it ends, stalls or reaches the present. */
function walkOrder(random: Random, createdAt: number, nowS: number): PlannedOrderEvent[] {
  const plan = planOrderLifecycle(random, BRANCH_RATES);
  const stallAfter = random() < STALL_RATE ? integerBetween(random, 0, Math.max(0, plan.steps.length - 2)) : Infinity;
  const dropSignature = random() < MISSING_SIGNATURE_RATE;
  const lateStep = random() < LATE_ARRIVAL_RATE ? integerBetween(random, 4, Math.max(4, plan.steps.length - 2)) : -1;
  const events: PlannedOrderEvent[] = [];
  let clock = createdAt;
  let previousStatus = "";
  for (const [index, step] of plan.steps.entries()) {
    if (index > stallAfter) break;
    if (index > 0) {
      const first = step[0];
      const isResume = previousStatus === "on-hold";
      clock += logUniform(random, isResume ? RESUME_DELAY_S : (STEP_DELAY_S[first?.status ?? ""] ?? [600, 3600]));
    }
    if (clock > nowS) break;
    for (const planned of step as readonly PlannedEvent[]) {
      if (dropSignature && planned.event === "prescriptionSigned" && index < plan.steps.length - 1) continue;
      // Events of one step are one second apart, as the emulator's clock makes them.
      events.push({ key: planned.event, status: planned.status, updatedAt: clock, arrivesLate: index === lateStep && planned.event === "pharmacyOrderUpdated" });
      clock += 1;
    }
    previousStatus = step.at(-1)?.status ?? previousStatus;
  }
  return events.filter((event) => event.updatedAt <= nowS);
}

/**
 * Brings the total to exactly `target` events: a shortfall is filled with
 * pharmacy-order updates that repeat the current status (RxScale sends one
 * whenever anything on the pharmacy order changes, e.g. a tracking number),
 * an excess is cut from the end of random orders (which then stall).
 */
function adjustToTarget(random: Random, planned: PlannedOrderEvent[][], target: number, nowS: number): void {
  let total = planned.reduce((sum, events) => sum + events.length, 0);
  let guard = 0;
  while (total < target && guard++ < target * 20) {
    const events = planned[Math.floor(random() * planned.length)];
    if (!events) continue;
    const at = events.findIndex((event) => event.key === "pharmacyOrderUpdated" && (event.status === "ready_for_pickup" || event.status === "in-progress"));
    const anchor = events[at];
    if (!anchor) continue;
    const next = events[at + 1];
    const room = (next ? next.updatedAt : nowS) - anchor.updatedAt;
    if (room < 3) continue;
    events.splice(at + 1, 0, { key: "pharmacyOrderUpdated", status: anchor.status, updatedAt: anchor.updatedAt + 1 + Math.floor(random() * (room - 2)), arrivesLate: false });
    total += 1;
  }
  while (total > target) {
    const events = planned[Math.floor(random() * planned.length)];
    if (!events || events.length < 2) continue;
    events.pop();
    total -= 1;
  }
  if (total !== target) throw new Error(`could not shape the history to ${target} events (got ${total}); give more orders or more events per order`);
}

function factOf(event: SeedEvent, order: OrderCase): OrderFact {
  const isPharmacyOrder = event.kind === "pharmacy_order";
  return {
    eventId: event.eventId,
    kind: event.kind,
    eventType: DEFAULT_EVENT_NAMES[event.key],
    orderUid: order.orderUid,
    entityUid: entityUidOf(event, order),
    status: event.status,
    updatedAt: event.updatedAt,
    timestamp: event.updatedAt,
    receivedAt: event.storedMs,
    pharmacyUid: isPharmacyOrder ? order.pharmacy.uid : null,
    pharmacyName: isPharmacyOrder ? order.pharmacy.display_name : null,
    deliveryType: isPharmacyOrder ? order.deliveryType.display_name : null,
    shopOrderName: event.kind === "prescription" ? null : order.name,
    patientKey: patientSearchKey(order.patient.uid),
  };
}

function entityUidOf(event: SeedEvent, order: OrderCase): string {
  return event.kind === "order" ? order.orderUid : event.kind === "prescription" ? order.prescriptionUid : order.pharmacyOrderUid;
}

function searchKeysOf(event: SeedEvent, order: OrderCase): SearchKeys {
  const isPharmacyOrder = event.kind === "pharmacy_order";
  return {
    orderUid: order.orderUid,
    pharmacyOrderUid: isPharmacyOrder ? order.pharmacyOrderUid : null,
    shopOrderName: event.kind === "prescription" ? null : order.name,
    patientKey: patientSearchKey(order.patient.uid),
    pharmacyUid: isPharmacyOrder ? order.pharmacy.uid : null,
    status: event.status,
  };
}

/** The payload as the emulator shapes it (emulator/orders.ts), with made-up patients. */
function dataOf(event: SeedEvent, order: OrderCase): Record<string, unknown> {
  const patientData = { uid: order.patient.uid, display_name: order.patient.display_name, email: order.patient.email, date_of_birth: order.patient.date_of_birth };
  const address = {
    first_name: order.patient.display_name.split(" ")[0],
    last_name: order.patient.display_name.split(" ")[1],
    street: order.patient.street,
    house_number: order.patient.house_number,
    zip_code: order.patient.zip_code,
    city: order.patient.city,
    country: "Germany",
    additional_address: null,
  };
  const sku = (medication: Medication) => ({ pzn: medication.pzn, product_uid: medication.product_uid, product_display_name: medication.product_display_name, product_handle: medication.product_handle });
  if (event.kind === "order") {
    return {
      uid: order.orderUid,
      status: event.status,
      name: order.name,
      created_at: order.createdAt,
      updated_at: event.updatedAt,
      patient_data: patientData,
      delivery_address: address,
      order_items: order.items.map((item) => ({ uid: item.itemUid, amount: item.amount, sku: sku(item.medication) })),
    };
  }
  if (event.kind === "prescription") {
    return { uid: order.prescriptionUid, status: event.status, order: { uid: order.orderUid }, doctor_data: order.doctor, created_at: order.createdAt, updated_at: event.updatedAt, patient_data: { uid: order.patient.uid } };
  }
  return {
    uid: order.pharmacyOrderUid,
    status: event.status,
    name: order.name,
    data: {},
    external_status: "OPEN",
    created_at: order.pharmacyOrderCreatedAt ?? event.updatedAt,
    updated_at: event.updatedAt,
    deleted_at: null,
    pharmacy: order.pharmacy,
    order: { uid: order.orderUid, delivery_address: address, invoice_address: address, shipping_costs_amount: order.shippingCostsAmount, shipping_costs_currency: "EUR", priority: order.priority },
    delivery_type: order.deliveryType,
    order_items: order.items.map((item) => ({
      sku: sku(item.medication),
      pharmacy_sku: { uid: item.pharmacySkuUid, external_id: item.externalId, price: item.medication.price, stock: item.stock },
    })),
    patient_data: patientData,
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Builds the whole history in memory: order cases, events in arrival order, and the order rows projected from their facts. */
function generateHistory(orderCount: number, eventCount: number, seed: number): History {
  const random = createRandom(seed);
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  const nowS = nowMs / 1000;
  const spanS = HISTORY_DAYS * 86_400;
  const pharmacies = makePharmacies(random);
  const cases: OrderCase[] = [];
  const planned: PlannedOrderEvent[][] = [];
  for (let index = 0; index < orderCount; index += 1) {
    const createdAt = Math.floor(nowS - spanS + ((index + random()) / orderCount) * (spanS - 60));
    cases.push(makeCase(random, index, createdAt, pharmacies));
    planned.push(walkOrder(random, createdAt, nowS));
  }
  adjustToTarget(random, planned, eventCount, nowS);

  const trackedKinds = new Set<FactKind>(FACT_KINDS);
  const thresholds = stuckThresholdSettingsSchema.parse({});
  const eventNames = eventNameSettingsSchema.parse({});
  const events: SeedEvent[] = [];
  const orders: OrderRowValues[] = [];
  let stuckOrders = 0;
  for (const [index, order] of cases.entries()) {
    const steps = planned[index] ?? [];
    const own: SeedEvent[] = [];
    for (const step of steps) {
      if (step.key === "pharmacyOrderCreated") order.pharmacyOrderCreatedAt ??= step.updatedAt;
      const arrivalMs = step.updatedAt * 1000 + integerBetween(random, 40, 1500);
      own.push({
        order: index,
        key: step.key,
        kind: SUBJECT_OF_EVENT[step.key],
        status: step.status,
        updatedAt: step.updatedAt,
        arrivalMs,
        storedMs: arrivalMs,
        processedMs: arrivalMs,
        attempts: 1,
        eventId: "",
        deliveryId: "",
      });
    }
    // A delivery that RxScale retried later than its successor: it arrives second and is superseded.
    for (const [position, step] of steps.entries()) {
      const event = own[position];
      const successor = own[position + 1];
      if (!step.arrivesLate || !event || !successor) continue;
      const late = successor.arrivalMs + integerBetween(random, 2_000, 90_000);
      if (late < nowMs) event.arrivalMs = late;
    }
    let lastProcessedMs = 0;
    for (const event of own) {
      event.storedMs = event.arrivalMs + integerBetween(random, 2, 9);
      event.attempts = random() < RETRIED_RATE ? 2 : 1;
      event.processedMs = event.storedMs + integerBetween(random, 5, 80) + (event.attempts - 1) * integerBetween(random, 1_000, 3_000);
      event.eventId = timeOrderedId(random, event.arrivalMs);
      event.deliveryId = timeOrderedId(random, event.arrivalMs);
      lastProcessedMs = Math.max(lastProcessedMs, event.processedMs);
      events.push(event);
    }
    if (own.length === 0) throw new Error("every order needs at least one event");
    const facts = own.map((event) => factOf(event, order));
    // The fast path above must say exactly what the app's own extraction says: check a sample.
    for (const [position, event] of own.entries()) {
      if ((index * 7 + position) % 97 !== 0) continue;
      const data = dataOf(event, order);
      const type = DEFAULT_EVENT_NAMES[event.key];
      const extracted = extractOrderFact({ id: event.eventId, type, timestamp: event.updatedAt, data, receivedAt: event.storedMs }, eventNames, patientSearchKey);
      if (!sameJson(extracted, facts[position]) || !sameJson(extractSearchKeys(type, data, patientSearchKey), searchKeysOf(event, order)) || dataUidOf(data) !== entityUidOf(event, order)) {
        throw new Error(`generated event ${type} disagrees with lib/order-facts.ts: fix the generator`);
      }
    }
    // The row server/orders/order-projector.ts rebuildOrder writes, made by the same function.
    const { row, isStuck } = projectOrderRow(order.orderUid, facts, trackedKinds, thresholds, new Date(nowMs));
    if (isStuck) stuckOrders += 1;
    orders.push({ row, updatedAtMs: lastProcessedMs });
  }
  // Time order, as they arrive: primary keys (UUID v7) and rows land as they would in production.
  events.sort((a, b) => a.arrivalMs - b.arrivalMs || (a.eventId < b.eventId ? -1 : 1));
  return { cases, events, orders, nowMs, stuckOrders };
}

// ===========================================================================
// Rows as the app writes them

interface EventRows {
  event: readonly unknown[];
  delivery: readonly unknown[];
  fact: readonly unknown[];
  attempts: (readonly unknown[])[];
}

type DateFormat = (ms: number) => string;
/** Prisma's better-sqlite3 adapter writes DateTime as ISO 8601 with an explicit +00:00 (its default timestampFormat). */
const sqliteDate: DateFormat = (ms) => new Date(ms).toISOString().replace("Z", "+00:00");
/** PostgreSQL columns are TIMESTAMP(3) without zone holding UTC, as Prisma writes them. */
const pgDate: DateFormat = (ms) => new Date(ms).toISOString().replace("Z", "");

const EVENT_COLUMNS = [
  "id", "event_type", "event_timestamp", "payload_version", "data_uid", "body_sha256", "is_key_collision", "is_known_type", "first_received_at", "last_received_at",
  "duplicate_count", "status", "attempts", "next_attempt_at", "processed_at", "order_uid", "pharmacy_order_uid", "shop_order_name", "patient_key", "pharmacy_uid", "data_status",
] as const;
const DELIVERY_COLUMNS = [
  "id", "received_at", "outcome", "reason_code", "flags", "http_status", "body_sha256", "body_size", "body", "body_key_id", "patient_key", "headers", "source_address",
  "event_type_header", "matched_secret_id", "ack_ms", "event_id",
] as const;
const FACT_COLUMNS = ["event_id", "order_uid", "kind", "event_type", "entity_uid", "status", "data_updated_at", "timestamp", "received_at", "pharmacy_uid", "pharmacy_name", "delivery_type", "shop_order_name", "patient_key"] as const;
const ATTEMPT_COLUMNS = ["id", "event_id", "attempt", "worker", "started_at", "finished_at", "outcome", "error"] as const;
const ORDER_COLUMNS = [
  "order_uid", "stage", "status", "reached_stage", "stage_since", "first_event_at", "last_event_at", "pharmacy_uid", "pharmacy_name", "delivery_type",
  "shop_order_name", "patient_key", "gaps", "entities", "event_count", "stuck_at", "updated_at", "furthest_stage", "ordered_seconds", "prescription_approved_seconds",
  "prescription_signed_seconds", "sent_to_pharmacy_seconds", "in_pharmacy_seconds", "shipped_seconds", "to_ship_seconds", "went_out_of_stock", "first_stuck_at",
] as const;

interface RowEncoding {
  date: DateFormat;
  boolean: (value: boolean) => unknown;
}

function rowsOf(event: SeedEvent, order: OrderCase, encoding: RowEncoding): EventRows {
  const { date, boolean: asBoolean } = encoding;
  const type = DEFAULT_EVENT_NAMES[event.key];
  const text = JSON.stringify({ event_type: type, timestamp: event.updatedAt, payload_version: "1", data: dataOf(event, order) });
  const size = Buffer.byteLength(text, "utf8");
  const sha = createHash("sha256").update(text, "utf8").digest("hex");
  const signature = createHmac("sha256", SIGNING_SECRET).update(text, "utf8").digest("hex");
  const headers = JSON.stringify({ "content-type": "application/json", "content-length": String(size), "user-agent": "RxScale-Webhooks/1.0", "x-webhook-event": type, "x-webhook-signature": signature, "x-forwarded-for": "203.0.113.24" });
  const keys = searchKeysOf(event, order);
  const sealed = sealDeliveryBody(event.deliveryId, Buffer.from(text, "utf8"));
  const fact = factOf(event, order);
  const stored = date(event.storedMs);
  const processed = date(event.processedMs);
  const attempts: (readonly unknown[])[] = [];
  const worker = WORKERS[event.order % WORKERS.length] ?? "rxwatch";
  if (event.attempts > 1) {
    const failedStart = event.storedMs + 3;
    attempts.push([randomUUID(), event.eventId, 1, worker, date(failedStart), date(failedStart + 40), "failed", "SqliteError: database is locked"]);
  }
  const startedMs = event.processedMs - Math.min(30, event.processedMs - event.storedMs - 1);
  attempts.push([randomUUID(), event.eventId, event.attempts, worker, date(startedMs), processed, "succeeded", null]);
  return {
    event: [
      event.eventId, type, event.updatedAt, "1", entityUidOf(event, order), sha, asBoolean(false), asBoolean(true), stored, stored,
      0, "processed", event.attempts, event.attempts > 1 ? date(event.processedMs - 40) : stored, processed,
      keys.orderUid, keys.pharmacyOrderUid, keys.shopOrderName, keys.patientKey, keys.pharmacyUid, keys.status,
    ],
    // Sealed exactly as ingest seals it, so rows on disk have the size (and the column values) real ones have.
    delivery: [
      event.deliveryId, date(event.arrivalMs), "accepted", null, "", 200, sha, size, sealed.body, sealed.bodyKeyId, keys.patientKey, headers, "203.0.113.24", type, "env:1",
      event.storedMs - event.arrivalMs + 0.4, event.eventId,
    ],
    fact: [
      fact.eventId, fact.orderUid, fact.kind, fact.eventType, fact.entityUid, fact.status, fact.updatedAt, fact.timestamp, date(fact.receivedAt),
      fact.pharmacyUid, fact.pharmacyName, fact.deliveryType, fact.shopOrderName, fact.patientKey,
    ],
    attempts,
  };
}

function orderRowOf({ row, updatedAtMs }: OrderRowValues, encoding: RowEncoding): unknown[] {
  const { date, boolean: asBoolean } = encoding;
  const at = (value: Date | string) => date(new Date(value).getTime());
  const stuckAt = row.stuckAt ?? null;
  const firstStuckAt = row.firstStuckAt ?? null;
  return [
    row.orderUid, row.stage, row.status, row.reachedStage ?? null, at(row.stageSince), at(row.firstEventAt), at(row.lastEventAt), row.pharmacyUid ?? null, row.pharmacyName ?? null,
    row.deliveryType ?? null, row.shopOrderName ?? null, row.patientKey ?? null, row.gaps ?? "", row.entities, row.eventCount, stuckAt === null ? null : at(stuckAt), date(updatedAtMs),
    row.furthestStage ?? null, row.orderedSeconds ?? null, row.prescriptionApprovedSeconds ?? null, row.prescriptionSignedSeconds ?? null, row.sentToPharmacySeconds ?? null, row.inPharmacySeconds ?? null,
    row.shippedSeconds ?? null, row.toShipSeconds ?? null, asBoolean(row.wentOutOfStock ?? false), firstStuckAt === null ? null : at(firstStuckAt),
  ];
}

const SEEDED_TABLES = ["webhook_event", "delivery", "order_fact", "processing_attempt", "order"] as const;

// ===========================================================================
// SQLite

const indexRowSchema = z.object({ name: z.string(), sql: z.string() });
const countSchema = z.object({ n: z.union([z.number(), z.bigint(), z.string()]).transform(Number) });

function countSqliteOrders(file: string): number {
  const database = new Database(file, { readonly: true });
  try {
    return countSchema.parse(database.prepare(`SELECT COUNT(*) AS n FROM "order"`).get()).n;
  } catch {
    return 0;
  } finally {
    database.close();
  }
}

/**
 * Bulk load: secondary indexes are dropped and rebuilt afterwards (one sort
 * each instead of a million random B-tree inserts), no journal, one
 * transaction per 50 000 events. The schema ends up exactly as migrated.
 */
function seedSqlite(file: string, history: History): void {
  const database = new Database(file);
  try {
    database.pragma("journal_mode = OFF");
    database.pragma("synchronous = OFF");
    database.pragma("cache_size = -1000000");
    database.pragma("temp_store = MEMORY");
    const tables = SEEDED_TABLES.map((table) => `'${table}'`).join(",");
    const indexes = z.array(indexRowSchema).parse(database.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables})`).all());
    for (const index of indexes) database.exec(`DROP INDEX "${index.name}"`);

    const insert = (table: string, columns: readonly string[]) => database.prepare(`INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    const insertEvent = insert("webhook_event", EVENT_COLUMNS);
    const insertDelivery = insert("delivery", DELIVERY_COLUMNS);
    const insertFact = insert("order_fact", FACT_COLUMNS);
    const insertAttempt = insert("processing_attempt", ATTEMPT_COLUMNS);
    const insertOrder = insert("order", ORDER_COLUMNS);
    const encoding: RowEncoding = { date: sqliteDate, boolean: (value) => (value ? 1 : 0) };

    const started = performance.now();
    const BATCH = 50_000;
    for (let start = 0; start < history.events.length; start += BATCH) {
      database.transaction(() => {
        for (const event of history.events.slice(start, start + BATCH)) {
          const order = history.cases[event.order];
          if (!order) throw new Error("event without its order");
          const rows = rowsOf(event, order, encoding);
          insertEvent.run(rows.event);
          insertDelivery.run(rows.delivery);
          insertFact.run(rows.fact);
          for (const attempt of rows.attempts) insertAttempt.run(attempt);
        }
      })();
      if ((start / BATCH) % 4 === 3) log(`sqlite: ${start + BATCH} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    database.transaction(() => {
      for (const row of history.orders) insertOrder.run(orderRowOf(row, encoding));
    })();
    log(`sqlite: rows written in ${((performance.now() - started) / 1000).toFixed(1)} s; rebuilding ${indexes.length} indexes`);
    const indexStarted = performance.now();
    for (const index of indexes) database.exec(index.sql);
    log(`sqlite: indexes rebuilt in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);
    // The app's files are WAL (set by the migrator); the bulk load ran without a journal.
    database.pragma("journal_mode = WAL");
  } finally {
    database.close();
  }
}

// ===========================================================================
// PostgreSQL

const pgIndexSchema = z.object({ indexname: z.string(), indexdef: z.string() });
const pgConstraintSchema = z.object({ table_name: z.string(), conname: z.string(), definition: z.string() });

const EVENT_TYPES_PG = ["text", "text", "int8", "text", "text", "text", "bool", "bool", "timestamp(3)", "timestamp(3)", "int4", "text", "int4", "timestamp(3)", "timestamp(3)", "text", "text", "text", "text", "text", "text"];
const DELIVERY_TYPES_PG = ["text", "timestamp(3)", "text", "text", "text", "int4", "text", "int4", "bytea", "text", "text", "text", "text", "text", "text", "float8", "text"];
const FACT_TYPES_PG = ["text", "text", "text", "text", "text", "text", "int8", "int8", "timestamp(3)", "text", "text", "text", "text", "text"];
const ATTEMPT_TYPES_PG = ["text", "text", "int4", "text", "timestamp(3)", "timestamp(3)", "text", "text"];
const ORDER_TYPES_PG = [
  "text", "text", "text", "text", "timestamp(3)", "timestamp(3)", "timestamp(3)", "text", "text", "text", "text", "text", "text", "text", "int4", "timestamp(3)", "timestamp(3)",
  "text", "int4", "int4", "int4", "int4", "int4", "int4", "int4", "bool", "timestamp(3)",
];

/**
 * `INSERT … SELECT … FROM unnest($n::type[], …)`: one parameter per column
 * however many rows, so a statement carries thousands of rows. Parameters
 * are numbered from `first`, so several inserts can share one statement.
 */
function unnestInsert(table: string, columns: readonly string[], types: readonly string[], first = 1): string {
  const select = types.map((_, index) => `c${index}`);
  const arrays = types.map((type, index) => `$${first + index}::${type}[]`);
  return `INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) SELECT ${select.join(", ")} FROM unnest(${arrays.join(", ")}) AS u(${types.map((_, index) => `c${index}`).join(", ")})`;
}

/** The four inserts of a batch as one statement (data-modifying CTEs): one round trip, atomic without BEGIN/COMMIT. */
const EVENT_BATCH_SQL = (() => {
  const parts: [string, readonly string[], readonly string[]][] = [
    ["webhook_event", EVENT_COLUMNS, EVENT_TYPES_PG],
    ["delivery", DELIVERY_COLUMNS, DELIVERY_TYPES_PG],
    ["order_fact", FACT_COLUMNS, FACT_TYPES_PG],
    ["processing_attempt", ATTEMPT_COLUMNS, ATTEMPT_TYPES_PG],
  ];
  let first = 1;
  const inserts = parts.map(([table, columns, types]) => {
    const sql = unnestInsert(table, columns, types, first);
    first += types.length;
    return sql;
  });
  const last = inserts.pop() ?? "";
  return `WITH ${inserts.map((sql, index) => `w${index} AS (${sql})`).join(", ")} ${last}`;
})();

function columnsOf(rows: readonly (readonly unknown[])[], width: number): unknown[][] {
  const columns: unknown[][] = Array.from({ length: width }, () => []);
  for (const row of rows) for (let index = 0; index < width; index += 1) columns[index]?.push(row[index]);
  return columns;
}

/** Batches being written at once, each on its own connection: the server writes on one core while Node builds rows on the other. */
const PG_WRITERS = 2;

/**
 * Bulk load: secondary indexes and foreign keys are dropped and recreated
 * afterwards, rows go in as column arrays, one statement per batch, and
 * the next batch is built while the server writes the previous ones. Ends
 * with VACUUM ANALYZE, the state autovacuum keeps a table in that grew over months.
 */
async function seedPostgres(url: string, history: History): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  const writers = Array.from({ length: PG_WRITERS }, () => new pg.Client({ connectionString: url }));
  await client.connect();
  for (const writer of writers) await writer.connect();
  try {
    for (const connection of [client, ...writers]) await connection.query("SET synchronous_commit = off");
    const tables = [...SEEDED_TABLES];
    const indexes = z.array(pgIndexSchema).parse(
      (
        await client.query(
          `SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))`,
          [tables],
        )
      ).rows,
    );
    const foreignKeys = z.array(pgConstraintSchema).parse(
      (
        await client.query(
          `SELECT c.conrelid::regclass::text AS table_name, c.conname, pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY($1)`,
          [tables.map((table) => `"${table}"`).concat(tables)],
        )
      ).rows,
    );
    for (const key of foreignKeys) await client.query(`ALTER TABLE ${key.table_name} DROP CONSTRAINT "${key.conname}"`);
    for (const index of indexes) await client.query(`DROP INDEX "${index.indexname}"`);

    const started = performance.now();
    const BATCH = 5_000;
    const encoding: RowEncoding = { date: pgDate, boolean: (value) => value };
    const inFlight: Promise<unknown>[] = writers.map(() => Promise.resolve());
    for (let start = 0, batch = 0; start < history.events.length; start += BATCH, batch += 1) {
      const events: (readonly unknown[])[] = [];
      const deliveries: (readonly unknown[])[] = [];
      const facts: (readonly unknown[])[] = [];
      const attempts: (readonly unknown[])[] = [];
      for (const [position, event] of history.events.slice(start, start + BATCH).entries()) {
        // Building rows is synchronous: yield now and then so the driver can hand the server its next statement meanwhile.
        if (position % 250 === 249) await new Promise((resolve) => setImmediate(resolve));
        const order = history.cases[event.order];
        if (!order) throw new Error("event without its order");
        const rows = rowsOf(event, order, encoding);
        events.push(rows.event);
        deliveries.push(rows.delivery);
        facts.push(rows.fact);
        attempts.push(...rows.attempts);
      }
      const slot = batch % writers.length;
      const writer = writers[slot];
      if (!writer) throw new Error("no writer connection");
      await inFlight[slot];
      inFlight[slot] = writer.query(EVENT_BATCH_SQL, [
        ...columnsOf(events, EVENT_COLUMNS.length),
        ...columnsOf(deliveries, DELIVERY_COLUMNS.length),
        ...columnsOf(facts, FACT_COLUMNS.length),
        ...columnsOf(attempts, ATTEMPT_COLUMNS.length),
      ]);
      if ((start / BATCH) % 40 === 39) log(`postgresql: ${start + BATCH} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await Promise.all(inFlight);
    for (let start = 0; start < history.orders.length; start += BATCH) {
      const rows = history.orders.slice(start, start + BATCH).map((row) => orderRowOf(row, encoding));
      await client.query(unnestInsert("order", ORDER_COLUMNS, ORDER_TYPES_PG), columnsOf(rows, ORDER_COLUMNS.length));
    }
    log(`postgresql: rows written in ${((performance.now() - started) / 1000).toFixed(1)} s; rebuilding ${indexes.length} indexes and ${foreignKeys.length} foreign keys`);
    const indexStarted = performance.now();
    await client.query("SET maintenance_work_mem = '512MB'");
    for (const index of indexes) await client.query(index.indexdef);
    for (const key of foreignKeys) await client.query(`ALTER TABLE ${key.table_name} ADD CONSTRAINT "${key.conname}" ${key.definition}`);
    // The Insights summary tables were filled by their triggers as the orders went in; give the planner their statistics too.
    for (const table of [...tables, "insights_order_count", "insights_duration_count"]) await client.query(`VACUUM ANALYZE "${table}"`);
    log(`postgresql: indexes, keys and statistics in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);
  } finally {
    for (const connection of [client, ...writers]) await connection.end();
  }
}

// ===========================================================================
// Measuring (child process, DATABASE_URL set)

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

async function runMeasurements(resultFile: string): Promise<void> {
  const samplesFile = options.samples;
  if (!samplesFile) throw new Error("--measure needs --samples");
  const samples: Samples = sampleSchema.parse(JSON.parse(readFileSync(samplesFile, "utf8")));
  const runs = Number(options.runs);
  const warmup = Number(options.warmup);
  const url = process.env.DATABASE_URL ?? "";
  const isSqlite = url.startsWith("file:");

  // Statements the Prisma adapter runs, per case, for --explain: SQLite's as it prepares them,
  // PostgreSQL's with their values (its plans depend on them, and EXPLAIN ANALYZE needs them).
  const captured: { sql: string; values: unknown[] }[] = [];
  if (options.explain && isSqlite) {
    const original = Database.prototype.prepare;
    Database.prototype.prepare = function prepare(this: Database.Database, source: string) {
      captured.push({ sql: source, values: [] });
      return original.call(this, source);
    } as typeof original;
  }
  const prismaQuerySchema = z.object({ text: z.string(), values: z.array(z.unknown()).default([]), rowMode: z.literal("array") });
  if (options.explain && !isSqlite) {
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function query(this: pg.Client, ...args: unknown[]) {
      const config = prismaQuerySchema.safeParse(args[0]);
      if (config.success) captured.push({ sql: config.data.text, values: config.data.values });
      return Reflect.apply(original, this, args);
    } as typeof original;
  }

  const { listOrders, getOrderTrace } = await import("@/server/orders/service");
  const { countOrdersByStage } = await import("@/server/repositories/orders");
  const insights = await import("@/server/repositories/insights");
  const { getInsights, insightsWindow } = await import("@/server/insights/service");
  const { insightsQuerySchema } = await import("@/lib/insights");
  const problems: string[] = [];
  const stats: Stat[] = [];
  const plans: MeasureResult["plans"] = [];
  const at = <T>(list: readonly T[], index: number): T => {
    const value = list[index % list.length];
    if (value === undefined) throw new Error("empty sample list");
    return value;
  };

  // Walking the list page by page checks keyset pagination, yields the deep cursors and warms the caches.
  const deepCursors: string[] = [];
  const seen = new Set<string>();
  const walked: string[] = [];
  let cursor: string | undefined;
  let previous: { at: string; uid: string } | null = null;
  const walkStarted = performance.now();
  const depth = Math.min(DEEP_PAGE_ROWS, Math.floor(samples.orders / 2));
  while (deepCursors.length < DEEP_CURSORS) {
    const page = await listOrders(ordersQuerySchema.parse({ limit: "200", cursor }));
    for (const order of page.orders) {
      if (seen.has(order.orderUid)) problems.push(`pagination repeated order at row ${seen.size}`);
      if (previous && (order.lastEventAt > previous.at || (order.lastEventAt === previous.at && order.orderUid > previous.uid))) problems.push(`pagination out of order at row ${seen.size}`);
      seen.add(order.orderUid);
      walked.push(order.orderUid);
      previous = { at: order.lastEventAt, uid: order.orderUid };
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
    if (seen.size >= depth) deepCursors.push(cursor);
  }
  log(`walked ${seen.size} orders in pages of 200 in ${((performance.now() - walkStarted) / 1000).toFixed(1)} s (${deepCursors.length} deep cursors)`);
  if (deepCursors.length === 0) problems.push("no deep cursor: the list ended early");
  // Skips would go unnoticed above: compare with the same prefix read in one ordered query.
  const expected = await orderedUids(url, walked.length);
  const skippedAt = walked.findIndex((uid, index) => uid !== expected[index]);
  if (skippedAt >= 0) problems.push(`pagination differs from one ordered read at row ${skippedAt}`);
  if (problems.length > 20) problems.splice(20);

  const first = await listOrders(ordersQuerySchema.parse({}));
  const total = Object.values(first.stageCounts).reduce((sum, count) => sum + count, 0);
  if (total !== samples.orders) problems.push(`counts per stage add up to ${total}, expected ${samples.orders}`);
  const stages = STAGES.filter((stage) => (first.stageCounts[stage] ?? 0) > 0);

  const cases: { name: string; run: (index: number) => Promise<unknown>; check?: (result: unknown, index: number) => string | null }[] = [
    { name: "orders list, first page", run: () => listOrders(ordersQuerySchema.parse({})) },
    {
      name: `orders list, deep page (cursor, ≥${Math.round(depth / 1000)}k in)`,
      run: (index) => listOrders(ordersQuerySchema.parse({ cursor: at(deepCursors, index) })),
      check: (result) => (z.object({ orders: z.array(z.unknown()).length(50) }).safeParse(result).success ? null : "a deep page did not have 50 orders"),
    },
    {
      name: "filter: stage + pharmacy",
      run: (index) => listOrders(ordersQuerySchema.parse({ stage: at(stages, index), pharmacy: at(samples.pharmacies, Math.floor(index / stages.length)) })),
    },
    { name: "filter: stuck only", run: () => listOrders(ordersQuerySchema.parse({ stuck: "1" })) },
    // Not in the issue's list, but on the page: the commonest status is the worst case.
    { name: "filter: status", run: (index) => listOrders(ordersQuerySchema.parse({ status: at(["completed", "cancelled", "in-progress", "ready_for_pickup"], index) })) },
    {
      name: "search: order uid",
      run: (index) => listOrders(ordersQuerySchema.parse({ q: at(samples.orderUids, index) })),
      check: (result, index) => {
        const uids = z.object({ orders: z.array(z.object({ orderUid: z.string() })) }).parse(result).orders.map((order) => order.orderUid);
        return uids.length === 1 && uids[0] === at(samples.orderUids, index) ? null : "search by order uid did not find exactly its order";
      },
    },
    {
      name: "search: pharmacy-order uid",
      run: (index) => listOrders(ordersQuerySchema.parse({ q: at(samples.pharmacyOrderUids, index) })),
      check: (result) => (z.object({ orders: z.array(z.unknown()).length(1) }).safeParse(result).success ? null : "search by pharmacy-order uid did not find exactly one order"),
    },
    { name: "counts per stage", run: () => countOrdersByStage({ now: new Date() }) },
    {
      name: "trace (getOrderTrace, support)",
      run: (index) => getOrderTrace(at(samples.orderUids, index), "support"),
      check: (result) => {
        const trace = z.object({ order: z.object({ eventCount: z.number() }), events: z.array(z.object({ deliveries: z.array(z.unknown()).min(1), attempts: z.array(z.unknown()).min(1) })) }).parse(result);
        return trace.events.length === trace.order.eventCount ? null : `trace has ${trace.events.length} events, the order counts ${trace.order.eventCount}`;
      },
    },
  ];
  // Every range the page offers (30 days is the default; 90 days, the largest, covers the whole seeded history).
  const month = () => insightsWindow(insightsQuerySchema.parse({}), new Date());
  const quarter = () => insightsWindow(insightsQuerySchema.parse({ range: "90d" }), new Date());
  const week = () => insightsWindow(insightsQuerySchema.parse({ range: "7d" }), new Date());
  const countedAtLeast = (share: number, days: number) => (result: unknown) => {
    const total = z.object({ funnel: z.array(z.object({ reached: z.number() })) }).parse(result).funnel[0]?.reached ?? 0;
    return total > samples.orders * share ? null : `Insights counted ${total} orders started in the last ${days} days`;
  };
  cases.push(
    { name: `${INSIGHTS_CASE_PREFIX}orders per day`, run: () => insights.countOrdersPerDayAndStage(month()) },
    { name: `${INSIGHTS_CASE_PREFIX}orders per day, 90 days`, run: () => insights.countOrdersPerDayAndStage(quarter()) },
    { name: `${INSIGHTS_CASE_PREFIX}stage times, 7 days`, run: () => insights.countStageDurations(week()) },
    { name: `${INSIGHTS_CASE_PREFIX}stage times`, run: () => insights.countStageDurations(month()) },
    { name: `${INSIGHTS_CASE_PREFIX}stage times, 90 days`, run: () => insights.countStageDurations(quarter()) },
    { name: `${INSIGHTS_CASE_PREFIX}stage times, one pharmacy`, run: (index) => insights.countStageDurations({ ...month(), pharmacy: at(samples.pharmacies, index) }) },
    { name: `${INSIGHTS_CASE_PREFIX}stage times, 1 pharmacy, 90 d`, run: (index) => insights.countStageDurations({ ...quarter(), pharmacy: at(samples.pharmacies, index) }) },
    {
      name: `${INSIGHTS_CASE_PREFIX}scorecards`,
      run: async () => [await insights.countPharmacyOutcomes(month()), await insights.countTimeToShip(month())],
    },
    {
      name: `${INSIGHTS_CASE_PREFIX}scorecards, 90 days`,
      run: async () => [await insights.countPharmacyOutcomes(quarter()), await insights.countTimeToShip(quarter())],
    },
    { name: `${INSIGHTS_CASE_PREFIX}funnel`, run: () => insights.countFurthestStages(month()) },
    { name: `${INSIGHTS_CASE_PREFIX}funnel, 90 days`, run: () => insights.countFurthestStages(quarter()) },
    { name: `${INSIGHTS_CASE_PREFIX}stuck over time`, run: () => insights.countFirstStuckPerDay(month(), new Date()) },
    { name: `${INSIGHTS_CASE_PREFIX}stuck over time, 90 days`, run: () => insights.countFirstStuckPerDay(quarter(), new Date()) },
    { name: `${INSIGHTS_CASE_PREFIX}whole page, 7 days`, run: () => getInsights(insightsQuerySchema.parse({ range: "7d" })), check: countedAtLeast(0.05, 7) },
    { name: `${INSIGHTS_CASE_PREFIX}whole page (getInsights)`, run: () => getInsights(insightsQuerySchema.parse({})), check: countedAtLeast(0.2, 30) },
    { name: `${INSIGHTS_CASE_PREFIX}whole page, 90 days`, run: () => getInsights(insightsQuerySchema.parse({ range: "90d" })), check: countedAtLeast(0.8, 90) },
  );

  for (const benchCase of cases) {
    const caseRuns = benchCase.name.startsWith(INSIGHTS_CASE_PREFIX) ? Math.min(runs, INSIGHTS_MAX_RUNS) : runs;
    for (let index = 0; index < Math.min(warmup, caseRuns); index += 1) await benchCase.run(index + caseRuns);
    const timings: number[] = [];
    const firstCaptured = captured.length;
    for (let index = 0; index < caseRuns; index += 1) {
      const started = performance.now();
      const result = await benchCase.run(index);
      timings.push(performance.now() - started);
      const problem = benchCase.check?.(result, index) ?? null;
      if (problem && !problems.includes(problem)) problems.push(problem);
    }
    timings.sort((a, b) => a - b);
    stats.push({ name: benchCase.name, p50: percentile(timings, 0.5), p95: percentile(timings, 0.95), max: timings.at(-1) ?? Number.NaN, mean: timings.reduce((sum, value) => sum + value, 0) / timings.length, runs: caseRuns });
    if (options.explain) {
      // Run once more so statements Prisma already had prepared are captured too.
      await benchCase.run(0);
      // Statements that differ only in the length of an IN list have one plan: show it once.
      const distinct = new Map(captured.slice(firstCaptured).map((statement) => [statement.sql.replace(/\$\d+/g, "?").replace(/\(\?(?:,\?)+\)/g, "(?…)"), statement]));
      for (const statement of distinct.values()) plans.push({ name: benchCase.name, sql: statement.sql, plan: await explain(url, statement) });
    }
  }
  const result: MeasureResult = { stats, problems, plans };
  writeFileSync(resultFile, JSON.stringify(result));
  process.exit(0);
}

/** SQLite's plan of a statement (values do not change it here, so placeholders are bound to NULL), or PostgreSQL's EXPLAIN ANALYZE with its values. */
async function explain(url: string, statement: { sql: string; values: unknown[] }): Promise<string[]> {
  if (url.startsWith("file:")) {
    const database = new Database(url.replace(/^file:/, ""), { readonly: true });
    try {
      const placeholders = statement.sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, "").split("?").length - 1;
      const rows = database.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...Array.from({ length: placeholders }, () => null));
      return z.array(z.object({ detail: z.string() })).parse(rows).map((row) => row.detail);
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = (await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.values)).rows;
    return z.array(z.object({ "QUERY PLAN": z.string() })).parse(rows).map((row) => row["QUERY PLAN"]);
  } finally {
    await client.end();
  }
}

/** The first `limit` order uids in the list's order, read directly. */
async function orderedUids(url: string, limit: number): Promise<string[]> {
  const sql = `SELECT order_uid FROM "order" ORDER BY last_event_at DESC, order_uid DESC LIMIT ${Math.floor(limit)}`;
  const rowsSchema = z.array(z.object({ order_uid: z.string() }));
  if (url.startsWith("file:")) {
    const database = new Database(url.replace(/^file:/, ""), { readonly: true });
    try {
      return rowsSchema.parse(database.prepare(sql).all()).map((row) => row.order_uid);
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return rowsSchema.parse((await client.query(sql)).rows).map((row) => row.order_uid);
  } finally {
    await client.end();
  }
}

/** Runs this script in measurement mode against `url` in a child process. */
function measureIn(url: string, samplesFile: string): Promise<MeasureResult> {
  const resultFile = path.join(path.dirname(samplesFile), `result-${randomUUID()}.json`);
  const args = [...process.execArgv, scriptPath, "--measure", resultFile, "--samples", samplesFile, "--runs", options.runs, "--warmup", options.warmup, ...(options.explain ? ["--explain"] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DATABASE_URL: url, NODE_ENV: "production", LOG_LEVEL: "warn" } });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`the measurement process exited with ${code}`));
      try {
        resolve(measureResultSchema.parse(JSON.parse(readFileSync(resultFile, "utf8"))));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        rmSync(resultFile, { force: true });
      }
    });
  });
}

// ===========================================================================
// Main

function samplesOf(history: History, random: Random): Samples {
  const sample = <T>(list: readonly T[], count: number, keep: (item: T) => boolean): T[] => {
    const picked: T[] = [];
    for (let guard = 0; picked.length < count && guard < count * 100; guard += 1) {
      const item = list[Math.floor(random() * list.length)];
      if (item !== undefined && keep(item)) picked.push(item);
    }
    return picked;
  };
  const withPharmacyOrder = new Set(history.events.filter((event) => event.kind === "pharmacy_order").map((event) => event.order));
  const count = Number(options.runs) + Number(options.warmup);
  const indexes = history.cases.map((_, index) => index);
  const uidsAt = (picked: number[], uid: (order: OrderCase) => string) => picked.flatMap((index) => (history.cases[index] ? [uid(history.cases[index])] : []));
  return {
    orderUids: uidsAt(sample(indexes, count, () => true), (order) => order.orderUid),
    pharmacyOrderUids: uidsAt(sample(indexes, count, (index) => withPharmacyOrder.has(index)), (order) => order.pharmacyOrderUid),
    pharmacies: [...new Set(history.cases.map((order) => order.pharmacy.display_name))],
    orders: history.orders.length,
    events: history.events.length,
  };
}

function verifySqliteCounts(file: string, history: History): string[] {
  const database = new Database(file, { readonly: true });
  try {
    const count = (table: string) => countSchema.parse(database.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get()).n;
    const expected: Record<string, number> = { webhook_event: history.events.length, delivery: history.events.length, order_fact: history.events.length, order: history.orders.length };
    return Object.entries(expected).flatMap(([table, n]) => (count(table) === n ? [] : [`${table} has ${count(table)} rows, expected ${n}`]));
  } finally {
    database.close();
  }
}

async function verifyPostgresCounts(url: string, history: History): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const problems: string[] = [];
    const expected: Record<string, number> = { webhook_event: history.events.length, delivery: history.events.length, order_fact: history.events.length, order: history.orders.length };
    for (const [table, n] of Object.entries(expected)) {
      const actual = countSchema.parse((await client.query(`SELECT COUNT(*) AS n FROM "${table}"`)).rows[0]).n;
      if (actual !== n) problems.push(`${table} has ${actual} rows, expected ${n}`);
    }
    return problems;
  } finally {
    await client.end();
  }
}

const format = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? "—" : value < 10 ? value.toFixed(2) : value.toFixed(1));

async function main(): Promise<number> {
  const orderCount = Number(options.orders);
  const eventCount = Number(options.events);
  const seed = Number(options.seed);
  const { migrateDatabase } = await import("@/server/core/migrations");
  const workDir = mkdtempSync(path.join(os.tmpdir(), "rxwatch-bench-queries-"));
  const sqliteFile = options.db ? path.resolve(options.db) : path.join(workDir, "rxwatch.db");
  const sqliteUrl = `file:${sqliteFile}`;
  const envUrl = process.env.DATABASE_URL ?? "";
  const wantsPostgres = options.pg || /^postgres(ql)?:\/\//.test(envUrl);
  let stopPostgres = async () => {};
  const problems: string[] = [];
  const results: { provider: string; result: MeasureResult }[] = [];

  try {
    const isReused = options.db !== undefined && existsSync(sqliteFile) && countSqliteOrders(sqliteFile) > 0;
    log(`generating ${eventCount} events across ${orderCount} orders (seed ${seed})…`);
    const generated = performance.now();
    const history = generateHistory(orderCount, eventCount, seed);
    const samples = samplesOf(history, createRandom(seed + 1));
    const samplesFile = path.join(workDir, "samples.json");
    writeFileSync(samplesFile, JSON.stringify(samples));
    log(`generated in ${((performance.now() - generated) / 1000).toFixed(1)} s: ${history.orders.length} orders, ${history.events.length} events, ${history.stuckOrders} stuck`);

    await migrateDatabase(sqliteUrl, root);
    if (isReused) {
      log(`sqlite: ${sqliteFile} is seeded already; migrated it and measuring again`);
    } else {
      const started = performance.now();
      seedSqlite(sqliteFile, history);
      log(`sqlite: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s (${(statSync(sqliteFile).size / 1024 ** 2).toFixed(0)} MiB)`);
      problems.push(...verifySqliteCounts(sqliteFile, history));
    }

    let postgresUrl: string | null = null;
    if (wantsPostgres) {
      if (/^postgres(ql)?:\/\//.test(envUrl)) {
        postgresUrl = envUrl;
      } else {
        const { startThrowawayPostgres } = await import("./pg-cluster.mjs");
        const cluster = await startThrowawayPostgres({ log: (message: string) => log(`pg: ${message}`) });
        postgresUrl = cluster.url;
        stopPostgres = () => cluster.stop();
      }
      await migrateDatabase(postgresUrl, root);
      const started = performance.now();
      await seedPostgres(postgresUrl, history);
      log(`postgresql: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      problems.push(...(await verifyPostgresCounts(postgresUrl, history)));
    }
    // The history is on disk now; the measurement processes read only the samples.
    history.events.length = 0;

    log(`sqlite: measuring (${options.warmup} warm-up + ${options.runs} runs per query)…`);
    results.push({ provider: "SQLite", result: await measureIn(sqliteUrl, samplesFile) });
    if (postgresUrl) {
      log(`postgresql: measuring…`);
      results.push({ provider: "PostgreSQL", result: await measureIn(postgresUrl, samplesFile) });
    }
  } catch (error) {
    console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await stopPostgres();
    return 1;
  } finally {
    // With --db the database lives elsewhere and the work directory holds only the samples.
    if (!options.keep || options.db) rmSync(workDir, { recursive: true, force: true });
  }
  await stopPostgres();

  const names = results[0]?.result.stats.map((stat) => stat.name) ?? [];
  console.log(`\nRxWatch query benchmark — ${Number(options.orders).toLocaleString("en")} orders, ${Number(options.events).toLocaleString("en")} events; ${options.runs} runs per query after ${options.warmup} warm-up; ms`);
  const header = `${"query".padEnd(40)}${results.map((entry) => `${`${entry.provider} p50`.padStart(16)}${"p95".padStart(8)}${"max".padStart(8)}`).join("")}${"target".padStart(10)}`;
  console.log(header);
  let isTargetMet = true;
  for (const name of names) {
    const cells = results.map((entry) => {
      const stat = entry.result.stats.find((candidate) => candidate.name === name);
      return `${format(stat?.p50).padStart(16)}${format(stat?.p95).padStart(8)}${format(stat?.max).padStart(8)}`;
    });
    // The orders targets are SQLite's (issue 5); the Insights target holds on every database measured (issue 16).
    const judged = name.startsWith(INSIGHTS_CASE_PREFIX) ? results : results.filter((entry) => entry.provider === "SQLite");
    const isMet = judged.every((entry) => (entry.result.stats.find((stat) => stat.name === name)?.p95 ?? Number.NaN) < targetOf(name));
    if (!isMet) isTargetMet = false;
    console.log(`${name.padEnd(40)}${cells.join("")}${`${isMet ? "met" : "MISSED"} <${targetOf(name)}`.padStart(10)}`);
  }
  console.log(`target: every SQLite p95 < ${TARGET_P95_MS} ms, Insights < ${INSIGHTS_TARGET_P95_MS} ms on every database — ${isTargetMet ? "met" : "MISSED"}`);
  for (const entry of results) {
    for (const plan of entry.result.plans) console.log(`\n[${entry.provider}] ${plan.name}\n  ${plan.sql.replace(/\s+/g, " ").replaceAll("`main`.", "")}\n    ${plan.plan.join("\n    ")}`);
    for (const problem of entry.result.problems) problems.push(`${entry.provider}: ${problem}`);
  }
  if (options.keep) console.log(`\nSQLite database kept at ${sqliteFile}`);
  if (problems.length > 0) {
    console.log(`\nBROKEN:\n  ${problems.join("\n  ")}`);
    return 1;
  }
  return options.strict && !isTargetMet ? 1 : 0;
}

// Last, so every constant above is initialised before either mode runs.
if (options.measure) {
  await runMeasurements(options.measure);
} else {
  process.exitCode = await main();
}
