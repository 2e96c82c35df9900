import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIFECYCLE_TABLE, STATUS_LABELS, stageOf, statusLabel, type FactKind } from "./lifecycle";
import { projectOrder, stuckInfo, type OrderFact } from "./order-projection";
import { stuckThresholdSettingsSchema } from "./settings";

let sequence = 0;
function fact(kind: FactKind, status: string, at: number, overrides: Partial<OrderFact> = {}): OrderFact {
  sequence += 1;
  return {
    eventId: `ev-${String(sequence).padStart(4, "0")}`,
    kind,
    eventType: kind === "pharmacy_order" ? "pharmacy_order_updated" : `${kind}_event`,
    orderUid: "ord-1",
    entityUid: kind === "order" ? "ord-1" : kind === "prescription" ? "px-1" : "po-1",
    status,
    updatedAt: at,
    timestamp: at,
    receivedAt: at * 1000,
    pharmacyUid: kind === "pharmacy_order" ? "ph-1" : null,
    pharmacyName: kind === "pharmacy_order" ? "Apotheke Nord" : null,
    deliveryType: null,
    shopOrderName: kind === "pharmacy_order" ? "#2042" : null,
    patientKey: "pat-1",
    ...overrides,
  };
}

/** A whole lifecycle, one event per step, one minute apart. */
function fullLifecycle(): OrderFact[] {
  const steps: [FactKind, string][] = [
    ["order", "waiting for doctor"],
    ["prescription", "approved"],
    ["prescription", "signed"],
    ["pharmacy_order", "waiting for pharmacy"],
    ["pharmacy_order", "pending review"],
    ["pharmacy_order", "in-progress"],
    ["pharmacy_order", "ready_for_pickup"],
    ["pharmacy_order", "completed"],
  ];
  return steps.map(([kind, status], index) => fact(kind, status, 1_000 + index * 60));
}

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let index = 0; index < items.length; index++) {
    const rest = [...items.slice(0, index), ...items.slice(index + 1)];
    for (const tail of permutations(rest)) yield [items[index] as T, ...tail];
  }
}

describe("lifecycle table", () => {
  it("maps every documented status to its stage, exactly as spelled", () => {
    for (const [kind, table] of Object.entries(LIFECYCLE_TABLE) as [FactKind, Record<string, string>][]) {
      for (const [status, stage] of Object.entries(table)) expect(stageOf(kind, status), `${kind} ${status}`).toBe(stage);
    }
    expect(stageOf("pharmacy_order", "waiting for pharmacy")).toBe("sent_to_pharmacy");
    expect(stageOf("pharmacy_order", "on-hold")).toBe("on_hold");
    expect(stageOf("pharmacy_order", "ready_for_pickup")).toBe("shipped");
    expect(stageOf("pharmacy_order", "shipped")).toBe("shipped");
  });

  it("puts unknown or differently spelled statuses in Needs attention, never dropping them, and lets them become stuck", () => {
    expect(stageOf("pharmacy_order", "waiting_for_pharmacy")).toBe("needs_attention");
    expect(stageOf("pharmacy_order", "In-Progress")).toBe("needs_attention");
    const projection = projectOrder("ord-1", [fact("pharmacy_order", "teleported", 5)]);
    expect(projection).toMatchObject({ stage: "needs_attention", status: "teleported" });
    expect(stuckInfo(projection, stuckThresholdSettingsSchema.parse({}), 5 + 5 * 3600)).toMatchObject({ isStuck: true, budgetHours: 4 });
  });

  const PROBLEM_STATUSES = ["waiting for manual input", "waiting for payment", "out of stock", "pharmacy not found", "prescription not found"];

  it.each(PROBLEM_STATUSES)("puts an order in RxScale's problem status %s under Needs attention, stuck after its own budget", (status) => {
    const projection = projectOrder("ord-1", [fact("order", "init", 100), fact("prescription", "approved", 150), fact("order", status, 200)]);
    expect(projection).toMatchObject({ stage: "needs_attention", status, stageSince: 200 });
    const thresholds = stuckThresholdSettingsSchema.parse({ needsAttentionHours: 2 });
    expect(stuckInfo(projection, thresholds, 200 + 2 * 3600 - 1).isStuck).toBe(false);
    expect(stuckInfo(projection, thresholds, 200 + 2 * 3600)).toEqual({ isStuck: true, stuckSince: 200 + 2 * 3600, budgetHours: 2, expectedNext: "someone resolves the problem in RxScale" });
  });

  it("gives every documented status a friendly label and a stage that either ends the order or can become stuck", () => {
    const ended = new Set(["completed", "cancelled", "declined"]);
    for (const kind of ["order", "prescription", "pharmacy_order"] as const) {
      for (const [status, stage] of Object.entries(LIFECYCLE_TABLE[kind])) {
        expect(STATUS_LABELS[kind][status], `${kind} ${status}`).toEqual(expect.any(String));
        if (!ended.has(stage)) expect(stuckInfo({ stage, stageSince: 0 }, stuckThresholdSettingsSchema.parse({}), 10 ** 9).budgetHours, `${kind} ${status}`).not.toBeNull();
      }
    }
    expect(statusLabel("order", "waiting for manual input")).toBe("Requires attention");
    expect(statusLabel("order", "teleported")).toBe("teleported");
  });
});

describe("projectOrder", () => {
  it("follows a full lifecycle to completed with every milestone and no gaps", () => {
    const projection = projectOrder("ord-1", fullLifecycle());
    expect(projection).toMatchObject({ stage: "completed", status: "completed", reachedStage: "completed", gaps: [], supersededEventIds: [], pharmacyName: "Apotheke Nord", shopOrderName: "#2042" });
    expect(Object.keys(projection.milestones)).toHaveLength(7);
  });

  it("gives the same state for every arrival order of a full lifecycle (all 40 320 permutations)", () => {
    const events = fullLifecycle();
    const expected = projectOrder("ord-1", events);
    let count = 0;
    for (const permutation of permutations(events)) {
      expect(projectOrder("ord-1", permutation)).toEqual(expected);
      count++;
    }
    expect(count).toBe(40_320);
    // 40 320 projections take a few seconds on a quiet machine and several times that on a loaded one.
  }, 60_000);

  it("never moves back for a late stale event, and marks it superseded", () => {
    const events = fullLifecycle();
    const late = fact("pharmacy_order", "in-progress", 1_100, { receivedAt: 99_000_000 });
    const projection = projectOrder("ord-1", [...events, late]);
    expect(projection.stage).toBe("completed");
    expect(projection.supersededEventIds).toContain(late.eventId);
  });

  it("orders by updated_at first, then the envelope timestamp", () => {
    const newerPayload = fact("pharmacy_order", "in-progress", 0, { updatedAt: 200, timestamp: 100 });
    const olderPayloadLaterEnvelope = fact("pharmacy_order", "pending review", 0, { updatedAt: 150, timestamp: 300 });
    expect(projectOrder("ord-1", [newerPayload, olderPayloadLaterEnvelope]).status).toBe("in-progress");
    const sameUpdate = fact("pharmacy_order", "ready_for_pickup", 0, { updatedAt: 200, timestamp: 250 });
    expect(projectOrder("ord-1", [sameUpdate, newerPayload]).status).toBe("ready_for_pickup");
  });

  it("applies an event whose predecessors are missing and flags the gap", () => {
    const projection = projectOrder("ord-1", [fact("order", "init", 1), fact("prescription", "approved", 2), fact("pharmacy_order", "ready_for_pickup", 3)]);
    expect(projection.stage).toBe("shipped");
    expect(projection.gaps).toEqual(["prescription_signed", "sent_to_pharmacy", "in_pharmacy"]);
  });

  it("does not call stages gaps when the shop receives no events that could report them", () => {
    const projection = projectOrder("ord-1", [fact("pharmacy_order", "completed", 3)], new Set(["pharmacy_order"]));
    expect(projection.gaps).toEqual(["sent_to_pharmacy", "in_pharmacy", "shipped"]);
  });

  it("holds, resumes, declines and cancels", () => {
    const hold = fact("pharmacy_order", "on-hold", 10);
    expect(projectOrder("ord-1", [fact("pharmacy_order", "pending review", 5), hold]).stage).toBe("on_hold");
    expect(projectOrder("ord-1", [hold, fact("pharmacy_order", "in-progress", 20)]).stage).toBe("in_pharmacy");
    expect(projectOrder("ord-1", [fact("order", "waiting for doctor", 1), fact("prescription", "declined", 2)]).stage).toBe("declined");
    expect(projectOrder("ord-1", [fact("pharmacy_order", "waiting for pharmacy", 1), fact("pharmacy_order", "cancelled", 2)]).stage).toBe("cancelled");
    expect(projectOrder("ord-1", [fact("pharmacy_order", "in-progress", 1), fact("order", "cancelled", 2)]).stage).toBe("cancelled");
  });

  it("counts a duplicate event once (same status, no supersession)", () => {
    const first = fact("pharmacy_order", "in-progress", 10);
    const again = { ...first, eventId: "ev-dup" };
    const projection = projectOrder("ord-1", [first, again]);
    expect(projection.supersededEventIds).toEqual([]);
    expect(projection.stage).toBe("in_pharmacy");
  });

  it("is independent of arrival order for any set of events, including duplicates (property)", () => {
    const statuses: [FactKind, string][] = [
      ...Object.keys(LIFECYCLE_TABLE.pharmacy_order).map((status) => ["pharmacy_order", status] as [FactKind, string]),
      ...Object.keys(LIFECYCLE_TABLE.prescription).map((status) => ["prescription", status] as [FactKind, string]),
      ...Object.keys(LIFECYCLE_TABLE.order).map((status) => ["order", status] as [FactKind, string]),
      ["pharmacy_order", "unheard-of"],
    ];
    const factArbitrary = fc.record({
      statusIndex: fc.nat({ max: statuses.length - 1 }),
      updatedAt: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
      timestamp: fc.integer({ min: 1, max: 50 }),
      receivedAt: fc.integer({ min: 1, max: 50 }),
      entity: fc.constantFrom("a", "b"),
    });
    fc.assert(
      fc.property(fc.array(factArbitrary, { minLength: 1, maxLength: 12 }), fc.infiniteStream(fc.nat()), (raw, seeds) => {
        const events = raw.map((item, index) => {
          const [kind, status] = statuses[item.statusIndex] ?? ["order", "init"];
          return fact(kind, status, item.timestamp, { eventId: `e${index}`, updatedAt: item.updatedAt, receivedAt: item.receivedAt, entityUid: kind === "order" ? "ord-1" : `${kind}-${item.entity}` });
        });
        const shuffled = [...events];
        const random = seeds[Symbol.iterator]();
        for (let index = shuffled.length - 1; index > 0; index--) {
          const swap = (random.next().value as number) % (index + 1);
          [shuffled[index], shuffled[swap]] = [shuffled[swap] as OrderFact, shuffled[index] as OrderFact];
        }
        expect(projectOrder("ord-1", shuffled)).toEqual(projectOrder("ord-1", events));
      }),
      { numRuns: 500 },
    );
  });
});

describe("stuckInfo", () => {
  const thresholds = stuckThresholdSettingsSchema.parse({});

  it("marks an order stuck once its stage's budget is spent, naming the expected next step", () => {
    const projection = { stage: "sent_to_pharmacy" as const, stageSince: 0 };
    expect(stuckInfo(projection, thresholds, 23 * 3600)).toMatchObject({ isStuck: false, budgetHours: 24 });
    expect(stuckInfo(projection, thresholds, 25 * 3600)).toEqual({ isStuck: true, stuckSince: 24 * 3600, budgetHours: 24, expectedNext: "pharmacy starts preparing (pending review / in-progress)" });
  });

  it("never marks ended orders stuck", () => {
    for (const stage of ["completed", "cancelled", "declined"] as const) expect(stuckInfo({ stage, stageSince: 0 }, thresholds, 10 ** 9).isStuck).toBe(false);
  });
});
