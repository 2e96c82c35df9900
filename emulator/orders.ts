import type { BranchRates } from "./config";
import type { EventKey, EventNames } from "./event-names";
import { DELIVERY_TYPES, PHARMACIES, type DeliveryType, type FakePeople, type Medication, type Patient, type Pharmacy } from "./fake-data";
import { planOrderLifecycle, type OrderPlan, type PlannedEvent } from "./lifecycle";
import { integerBetween, pick, type Random } from "./random";

/*
 * One generated order and the payloads of its events. Pharmacy-order payloads
 * follow docs/rxscale.md#pharmacy-order-events field for field. Order and prescription payloads
 * are undocumented (docs/rxscale.md#order-and-prescription-events); their shape is the emulator's choice and
 * is described in docs/emulator.md.
 */

/** An event ready to be wrapped in RxScale's envelope. */
export interface GeneratedEvent {
  eventKey: EventKey;
  eventType: string;
  /** Envelope timestamp: the moment the event happened, equal to data.updated_at (unix seconds). */
  timestamp: number;
  data: Record<string, unknown>;
  /** The parent order; out-of-order faults hold an event back until the next one of the same order. */
  orderUid: string;
}

interface OrderCase {
  orderUid: string;
  prescriptionUid: string;
  pharmacyOrderUid: string;
  name: string;
  patient: Patient;
  doctor: { uid: string; display_name: string };
  pharmacy: Pharmacy;
  deliveryType: DeliveryType;
  items: { itemUid: string; pharmacySkuUid: string; externalId: string; stock: number; amount: number; medication: Medication }[];
  priority: number;
  shippingCostsAmount: number;
  orderCreatedAt: number;
  prescriptionCreatedAt: number;
  pharmacyOrderCreatedAt: number | null;
}

/** Hex digits from the emulator's seeded random source, so a seed reproduces the uids too. */
export function randomHex(random: Random, length: number): string {
  let text = "";
  for (let index = 0; index < length; index += 1) text += Math.floor(random() * 16).toString(16);
  return text;
}

/** Shop order names ("#4711"), counting up from a random start per emulator. */
export function createOrderNames(random: Random): () => string {
  let next = integerBetween(random, 1000, 8999);
  return () => `#${next++}`;
}

/**
 * Walks one order through its planned steps. Each call to `nextStep` returns
 * the events of the next step, stamped with this order's own clock: every
 * event's updated_at is later than the previous one's, even when steps come
 * faster than one per second (a burst), in which case the clock runs a few
 * seconds ahead of real time rather than repeat a second.
 */
export class OrderWalk {
  readonly plan: OrderPlan;
  readonly orderUid: string;
  private readonly order: OrderCase;
  private stepIndex = 0;
  private lastUpdatedAt = 0;

  constructor(
    random: Random,
    people: FakePeople,
    private readonly eventNames: EventNames,
    branchRates: BranchRates,
    orderName: string,
    nowMs: number,
  ) {
    this.plan = planOrderLifecycle(random, branchRates);
    const createdAt = Math.floor(nowMs / 1000);
    const patientUid = `pat-${randomHex(random, 10)}`;
    this.order = {
      orderUid: `ord-${randomHex(random, 12)}`,
      prescriptionUid: `px-${randomHex(random, 12)}`,
      pharmacyOrderUid: `po-${randomHex(random, 12)}`,
      name: orderName,
      patient: people.patient(patientUid),
      doctor: { uid: `doc-${randomHex(random, 8)}`, display_name: people.doctorName() },
      pharmacy: pick(random, PHARMACIES),
      deliveryType: pick(random, DELIVERY_TYPES),
      items: people.items().map((medication) => ({
        itemUid: `oi-${randomHex(random, 10)}`,
        pharmacySkuUid: `psku-${randomHex(random, 8)}`,
        externalId: `PMS-${integerBetween(random, 1000, 9999)}`,
        stock: integerBetween(random, 0, 80),
        amount: random() < 0.85 ? 1 : 2,
        medication,
      })),
      priority: random() < 0.9 ? 0 : integerBetween(random, 1, 3),
      shippingCostsAmount: pick(random, [0, 495, 695] as const),
      orderCreatedAt: createdAt,
      prescriptionCreatedAt: createdAt,
      pharmacyOrderCreatedAt: null,
    };
    this.orderUid = this.order.orderUid;
  }

  get isDone(): boolean {
    return this.stepIndex >= this.plan.steps.length;
  }

  /** Events still to come after the ones already returned. */
  get remainingSteps(): number {
    return this.plan.steps.length - this.stepIndex;
  }

  nextStep(nowMs: number): GeneratedEvent[] {
    const step = this.plan.steps[this.stepIndex];
    if (!step) return [];
    this.stepIndex += 1;
    return step.map((planned) => this.build(planned, nowMs));
  }

  private tick(nowMs: number): number {
    this.lastUpdatedAt = Math.max(Math.floor(nowMs / 1000), this.lastUpdatedAt + 1, this.order.orderCreatedAt);
    return this.lastUpdatedAt;
  }

  private build(planned: PlannedEvent, nowMs: number): GeneratedEvent {
    const updatedAt = this.tick(nowMs);
    if (planned.event === "pharmacyOrderCreated") this.order.pharmacyOrderCreatedAt = updatedAt;
    const data = buildData(this.order, planned, updatedAt);
    return { eventKey: planned.event, eventType: this.eventNames[planned.event], timestamp: updatedAt, data, orderUid: this.order.orderUid };
  }
}

function buildData(order: OrderCase, planned: PlannedEvent, updatedAt: number): Record<string, unknown> {
  switch (planned.event) {
    case "orderCreated":
    case "orderUpdated":
      return patientOrderData(order, planned.status, updatedAt);
    case "prescriptionApproved":
    case "prescriptionSigned":
    case "prescriptionDeclined":
      return prescriptionData(order, planned.status, updatedAt);
    case "pharmacyOrderCreated":
    case "pharmacyOrderUpdated":
      return pharmacyOrderData(order, planned.status, updatedAt);
  }
}

function address(patient: Patient): Record<string, unknown> {
  return { ...patient.address };
}

function skuOf(medication: Medication): Record<string, unknown> {
  return { pzn: medication.pzn, product_uid: medication.product_uid, product_display_name: medication.product_display_name, product_handle: medication.product_handle };
}

function patientData(patient: Patient): Record<string, unknown> {
  return { uid: patient.uid, display_name: patient.display_name, email: patient.email, date_of_birth: patient.date_of_birth };
}

/** [GAP] The patient order: `uid` (ord-…), status from docs/rxscale.md#patient-order-statuses, and what the pharmacy payload also carries. */
function patientOrderData(order: OrderCase, status: string, updatedAt: number): Record<string, unknown> {
  return {
    uid: order.orderUid,
    status,
    name: order.name,
    created_at: order.orderCreatedAt,
    updated_at: updatedAt,
    patient_data: patientData(order.patient),
    delivery_address: address(order.patient),
    order_items: order.items.map((item) => ({ uid: item.itemUid, amount: item.amount, sku: skuOf(item.medication) })),
  };
}

/** [GAP] A prescription: `uid` (px-…), status from docs/rxscale.md#prescription-statuses, the parent order, the doctor and the patient's uid only. */
function prescriptionData(order: OrderCase, status: string, updatedAt: number): Record<string, unknown> {
  return {
    uid: order.prescriptionUid,
    status,
    order: { uid: order.orderUid },
    doctor_data: order.doctor,
    created_at: order.prescriptionCreatedAt,
    updated_at: updatedAt,
    patient_data: { uid: order.patient.uid },
  };
}

/** [DOC] docs/rxscale.md#pharmacy-order-events: `uid` is the pharmacy order, `order.uid` the parent order. */
function pharmacyOrderData(order: OrderCase, status: string, updatedAt: number): Record<string, unknown> {
  return {
    uid: order.pharmacyOrderUid,
    status,
    name: order.name,
    data: {},
    external_status: "OPEN",
    created_at: order.pharmacyOrderCreatedAt ?? updatedAt,
    updated_at: updatedAt,
    deleted_at: null,
    pharmacy: { ...order.pharmacy },
    order: {
      uid: order.orderUid,
      delivery_address: address(order.patient),
      invoice_address: address(order.patient),
      shipping_costs_amount: order.shippingCostsAmount,
      shipping_costs_currency: "EUR",
      priority: order.priority,
    },
    delivery_type: { ...order.deliveryType },
    order_items: order.items.map((item) => ({
      sku: skuOf(item.medication),
      pharmacy_sku: { uid: item.pharmacySkuUid, external_id: item.externalId, price: item.medication.price, stock: item.stock },
    })),
    patient_data: patientData(order.patient),
  };
}
