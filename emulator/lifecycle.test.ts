import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { BranchRates } from "./config";
import { DEFAULT_EVENT_NAMES } from "./event-names";
import { FakePeople } from "./fake-data";
import { planOrderLifecycle, PROBLEM_ORDER_STATUSES } from "./lifecycle";
import { OrderWalk, type GeneratedEvent } from "./orders";
import { createRandom } from "./random";

/*
 * Allowed transitions, written out here independently of the planner:
 * docs/rxscale.md#status-values (pharmacy order: cancellation only from
 * waiting for pharmacy or pending review, a hold resumes where it was;
 * patient order; prescription).
 */
const PHARMACY_NEXT: Record<string, readonly string[]> = {
  "waiting for pharmacy": ["pending review", "cancelled"],
  "pending review": ["in-progress", "on-hold", "cancelled"],
  "on-hold": ["pending review", "in-progress"],
  "in-progress": ["ready_for_pickup", "on-hold"],
  ready_for_pickup: ["completed"],
  completed: [],
  cancelled: [],
};
const ORDER_NEXT: Record<string, readonly string[]> = {
  "waiting for doctor": ["waiting for pharmacy", "prescription declined"],
  "waiting for pharmacy": ["completed", "cancelled"],
};
const PRESCRIPTION_NEXT: Record<string, readonly string[]> = { start: ["approved", "declined"], approved: ["signed"] };
const FINAL_ORDER_STATUS = { completed: "completed", cancelled: "cancelled", declined: "prescription declined" } as const;

const unixSeconds = z.int().positive();
const addressSchema = z.strictObject({ first_name: z.string(), last_name: z.string(), street: z.string(), house_number: z.string(), zip_code: z.string().regex(/^\d{5}$/), city: z.string(), country: z.literal("Germany"), additional_address: z.string().nullable() });
/** docs/rxscale.md#pharmacy-order-events, strict: no field more, none less. */
const pharmacyOrderSchema = z.strictObject({
  uid: z.string(),
  status: z.string(),
  name: z.string().regex(/^#\d+$/),
  data: z.strictObject({}),
  external_status: z.literal("OPEN"),
  created_at: unixSeconds,
  updated_at: unixSeconds,
  deleted_at: z.null(),
  pharmacy: z.strictObject({ uid: z.string().startsWith("ph-"), display_name: z.string() }),
  order: z.strictObject({ uid: z.string().startsWith("ord-"), delivery_address: addressSchema, invoice_address: addressSchema, shipping_costs_amount: z.int(), shipping_costs_currency: z.literal("EUR"), priority: z.int().min(0) }),
  delivery_type: z.strictObject({ uid: z.string().startsWith("dt-"), display_name: z.string(), identifier: z.string() }),
  order_items: z.array(
    z.strictObject({
      sku: z.strictObject({ pzn: z.string().regex(/^\d{8}$/), product_uid: z.string(), product_display_name: z.string(), product_handle: z.string() }),
      pharmacy_sku: z.strictObject({ uid: z.string().startsWith("psku-"), external_id: z.string(), price: z.int().positive(), stock: z.int().min(0) }),
    }),
  ),
  patient_data: z.strictObject({ uid: z.string().startsWith("pat-"), display_name: z.string(), email: z.email(), date_of_birth: z.iso.date() }),
});

const DEFAULT_RATES: BranchRates = { declined: 0.1, onHold: 0.05, cancelled: 0.05, problem: 0 };
const HEAVY_RATES: BranchRates = { declined: 0.3, onHold: 0.5, cancelled: 0.4, problem: 0 };

function walkOrder(seed: number, rates: BranchRates, stepMs: number): { walk: OrderWalk; events: GeneratedEvent[] } {
  const random = createRandom(seed);
  const walk = new OrderWalk(random, new FakePeople(seed, random), DEFAULT_EVENT_NAMES, rates, "#1000", 1_795_000_000_000);
  const events: GeneratedEvent[] = [];
  let now = 1_795_000_000_000;
  while (!walk.isDone) {
    events.push(...walk.nextStep(now));
    now += stepMs;
  }
  return { walk, events };
}

function statusOf(event: GeneratedEvent): string {
  const status = event.data.status;
  if (typeof status !== "string") throw new Error(`${event.eventType} has no status`);
  return status;
}

function checkOrder(seed: number, rates: BranchRates, stepMs: number): void {
  const { walk, events } = walkOrder(seed, rates, stepMs);
  expect(events[0]?.eventKey).toBe("orderCreated");
  expect(events[0] && statusOf(events[0])).toBe("waiting for doctor");

  let orderStatus: string | null = null;
  let prescriptionStatus = "start";
  let pharmacyStatus: string | null = null;
  let lastUpdatedAt = 0;
  for (const event of events) {
    const status = statusOf(event);
    expect(event.data.updated_at).toBe(event.timestamp);
    expect(event.timestamp).toBeGreaterThan(lastUpdatedAt);
    lastUpdatedAt = event.timestamp;
    expect(event.orderUid).toBe(walk.orderUid);
    expect(event.eventType).toBe(DEFAULT_EVENT_NAMES[event.eventKey]);
    switch (event.eventKey) {
      case "orderCreated":
        expect(orderStatus).toBeNull();
        orderStatus = status;
        break;
      case "orderUpdated":
        expect(ORDER_NEXT[orderStatus ?? ""]).toContain(status);
        orderStatus = status;
        break;
      case "prescriptionApproved":
      case "prescriptionSigned":
      case "prescriptionDeclined":
        expect(PRESCRIPTION_NEXT[prescriptionStatus]).toContain(status);
        expect(event.data.order).toEqual({ uid: walk.orderUid });
        prescriptionStatus = status;
        break;
      case "pharmacyOrderCreated":
        expect(prescriptionStatus).toBe("signed");
        expect(pharmacyStatus).toBeNull();
        expect(status).toBe("waiting for pharmacy");
        pharmacyStatus = status;
        break;
      case "pharmacyOrderUpdated":
        expect(pharmacyStatus).not.toBeNull();
        expect(PHARMACY_NEXT[pharmacyStatus ?? ""]).toContain(status);
        pharmacyStatus = status;
        break;
    }
  }
  expect(orderStatus).toBe(FINAL_ORDER_STATUS[walk.plan.outcome]);
  if (walk.plan.outcome === "declined") expect(pharmacyStatus).toBeNull();
  else expect(pharmacyStatus).toBe(walk.plan.outcome);
}

describe("generated order lifecycles", () => {
  it("every order walks allowed transitions and ends completed, cancelled or declined (default branch rates)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => checkOrder(seed, DEFAULT_RATES, 4_000)), { numRuns: 500 });
  });

  it("stays valid when every branch is frequent", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => checkOrder(seed, HEAVY_RATES, 4_000)), { numRuns: 500 });
  });

  it("keeps updated_at strictly increasing per order even when steps come in the same millisecond (a burst)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => checkOrder(seed, HEAVY_RATES, 0)), { numRuns: 200 });
  });

  it("takes each branch about as often as configured", () => {
    const outcomes = { completed: 0, cancelled: 0, declined: 0 };
    let holds = 0;
    const random = createRandom(42);
    const orders = 20_000;
    for (let index = 0; index < orders; index += 1) {
      const plan = planOrderLifecycle(random, DEFAULT_RATES);
      outcomes[plan.outcome] += 1;
      if (plan.steps.some((step) => step.some((event) => event.status === "on-hold"))) holds += 1;
    }
    expect(outcomes.declined / orders).toBeCloseTo(0.1, 1);
    expect(outcomes.cancelled / orders).toBeGreaterThan(0.03);
    expect(outcomes.cancelled / orders).toBeLessThan(0.07);
    expect(holds / orders).toBeGreaterThan(0.02);
    expect(holds / orders).toBeLessThan(0.06);
  });

  it("never branches when the rates are zero and always declines when the decline rate is one", () => {
    const random = createRandom(7);
    for (let index = 0; index < 200; index += 1) {
      const plan = planOrderLifecycle(random, { declined: 0, onHold: 0, cancelled: 0, problem: 0 });
      expect(plan.outcome).toBe("completed");
      expect(plan.steps.flat().map((event) => event.status)).toEqual([
        "waiting for doctor",
        "approved",
        "signed",
        "waiting for pharmacy",
        "waiting for pharmacy",
        "pending review",
        "in-progress",
        "ready_for_pickup",
        "completed",
        "completed",
      ]);
    }
    expect(planOrderLifecycle(random, { declined: 1, onHold: 0, cancelled: 0, problem: 0 }).outcome).toBe("declined");
  });

  it("passes a signed order through each of RxScale's problem statuses, then sends it to a pharmacy", () => {
    const random = createRandom(11);
    const seen = new Set<string>();
    for (let index = 0; index < 200; index += 1) {
      const statuses = planOrderLifecycle(random, { declined: 0, onHold: 0, cancelled: 0, problem: 1 })
        .steps.flat()
        .map((event) => event.status);
      const problem = statuses[3] ?? "";
      seen.add(problem);
      expect(statuses.slice(0, 5)).toEqual(["waiting for doctor", "approved", "signed", problem, "waiting for pharmacy"]);
    }
    expect([...seen].sort()).toEqual([...PROBLEM_ORDER_STATUSES].sort());
  });
});

describe("generated payloads", () => {
  const { walk, events } = walkOrder(1234, { declined: 0, onHold: 0, cancelled: 0, problem: 0 }, 4_000);
  const pharmacyEvents = events.filter((event) => event.eventKey === "pharmacyOrderCreated" || event.eventKey === "pharmacyOrderUpdated");

  it("give pharmacy-order events exactly the documented pharmacy-order fields", () => {
    expect(pharmacyEvents.length).toBeGreaterThan(0);
    for (const event of pharmacyEvents) {
      const data = pharmacyOrderSchema.parse(event.data);
      expect(data.uid).toMatch(/^po-[0-9a-f]+$/);
      expect(data.order.uid).toBe(walk.orderUid);
      expect(data.order_items.length).toBeGreaterThan(0);
    }
  });

  it("keep the pharmacy order's created_at fixed while updated_at moves", () => {
    const createdAt = new Set(pharmacyEvents.map((event) => event.data.created_at));
    expect(createdAt.size).toBe(1);
    expect(pharmacyEvents[0]?.data.created_at).toBe(pharmacyEvents[0]?.data.updated_at);
  });

  it("give order events the patient order and prescription events only the patient's uid", () => {
    const order = events.find((event) => event.eventKey === "orderCreated");
    expect(order?.data).toMatchObject({ uid: walk.orderUid, status: "waiting for doctor" });
    expect(Object.keys(order?.data ?? {}).sort()).toEqual(["created_at", "delivery_address", "name", "order_items", "patient_data", "status", "uid", "updated_at"]);
    const prescription = events.find((event) => event.eventKey === "prescriptionSigned");
    expect(prescription?.data.uid).toMatch(/^px-/);
    expect(Object.keys(prescription?.data.patient_data ?? {})).toEqual(["uid"]);
    expect(prescription?.data.doctor_data).toMatchObject({ uid: expect.stringMatching(/^doc-/), display_name: expect.stringMatching(/^Dr\. med\. /) });
  });

  it("are reproducible from a seed", () => {
    expect(walkOrder(99, DEFAULT_RATES, 4_000).events).toEqual(walkOrder(99, DEFAULT_RATES, 4_000).events);
    expect(walkOrder(99, DEFAULT_RATES, 4_000).events).not.toEqual(walkOrder(100, DEFAULT_RATES, 4_000).events);
  });
});
