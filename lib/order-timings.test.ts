import { describe, expect, it } from "vitest";
import type { FactKind } from "./lifecycle";
import { projectOrder, type OrderFact } from "./order-projection";
import { orderTimings } from "./order-timings";
import { stuckThresholdSettingsSchema } from "./settings";

const thresholds = stuckThresholdSettingsSchema.parse({});
const HOUR = 3600;

function fact(kind: FactKind, status: string, at: number, index: number): OrderFact {
  return {
    eventId: `ev-${index}`,
    kind,
    eventType: `${kind}_event`,
    orderUid: "ord-1",
    entityUid: `${kind}-1`,
    status,
    updatedAt: at,
    timestamp: at,
    receivedAt: at * 1000,
    pharmacyUid: null,
    pharmacyName: null,
    deliveryType: null,
    shopOrderName: null,
    patientKey: null,
  };
}

function timingsOf(steps: [FactKind, string, number][]) {
  const facts = steps.map(([kind, status, at], index) => fact(kind, status, at, index));
  return orderTimings(projectOrder("ord-1", facts), facts, thresholds);
}

describe("order timings", () => {
  it("measures each stage from its first event to the next stage's first event", () => {
    const timings = timingsOf([
      ["order", "waiting for doctor", 0],
      ["prescription", "approved", 2 * HOUR],
      ["prescription", "signed", 3 * HOUR],
      ["pharmacy_order", "waiting for pharmacy", 5 * HOUR],
      ["pharmacy_order", "in-progress", 6 * HOUR],
      ["pharmacy_order", "ready_for_pickup", 10 * HOUR],
      ["pharmacy_order", "completed", 30 * HOUR],
    ]);
    expect(timings.stageSeconds).toEqual({
      ordered: 2 * HOUR,
      prescription_approved: HOUR,
      prescription_signed: 2 * HOUR,
      sent_to_pharmacy: HOUR,
      in_pharmacy: 4 * HOUR,
      shipped: 20 * HOUR,
    });
    expect(timings.toShipSeconds).toBe(10 * HOUR);
    expect(timings.furthestStage).toBe("completed");
    expect(timings.wentOutOfStock).toBe(false);
    expect(timings.firstStuckAt).toBeNull();
  });

  it("leaves the current stage open and a skipped stage empty, counting its time in the stage before", () => {
    const timings = timingsOf([
      ["order", "waiting for doctor", 0],
      ["prescription", "signed", 3 * HOUR],
      ["pharmacy_order", "waiting for pharmacy", 4 * HOUR],
    ]);
    expect(timings.stageSeconds.ordered).toBe(3 * HOUR);
    expect(timings.furthestStage).toBe("sent_to_pharmacy");
    expect(timings.stageSeconds.prescription_approved).toBeNull();
    expect(timings.stageSeconds.sent_to_pharmacy).toBeNull();
    expect(timings.toShipSeconds).toBeNull();
    expect(timings.firstStuckAt).toBe(4 * HOUR + thresholds.waitingForPharmacyHours * HOUR);
  });

  it("remembers the furthest stage of an order cancelled at the pharmacy", () => {
    const timings = timingsOf([
      ["pharmacy_order", "waiting for pharmacy", 0],
      ["pharmacy_order", "cancelled", HOUR],
    ]);
    expect(timings.furthestStage).toBe("sent_to_pharmacy");
  });

  it("dates the first overrun of a stage budget even after the order moved on, and remembers out of stock", () => {
    const timings = timingsOf([
      ["order", "waiting for doctor", 0],
      ["order", "out of stock", HOUR],
      ["prescription", "approved", 100 * HOUR],
      ["prescription", "signed", 101 * HOUR],
      ["pharmacy_order", "completed", 102 * HOUR],
    ]);
    expect(timings.wentOutOfStock).toBe(true);
    expect(timings.firstStuckAt).toBe(thresholds.awaitingPrescriptionHours * HOUR);
  });
});
