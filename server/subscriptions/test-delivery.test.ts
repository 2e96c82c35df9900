import { describe, expect, it } from "vitest";
import { isExpectedTestDelivery, isMarkedTestDelivery } from "./test-delivery";

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const ordinary = bytes({ event_type: "pharmacy_order_updated", timestamp: 1, payload_version: "1", data: { uid: "po-1", status: "in-progress" } });
const marked = bytes({ event_type: "pharmacy_order_updated", timestamp: 1, payload_version: "1", data: { uid: "test-abc", test: true, subscription_uid: "ns-1" } });

describe("test delivery matching", () => {
  it("never takes an ordinary delivery of the same type for the test", () => {
    expect(isExpectedTestDelivery(ordinary, { subscriptionUid: "ns-1", dataUids: [] })).toBe(false);
    expect(isExpectedTestDelivery(ordinary, { subscriptionUid: "ns-1", dataUids: ["test-abc"] })).toBe(false);
  });

  it("matches by the data uid RxScale's test answer named, when it named one", () => {
    expect(isExpectedTestDelivery(marked, { subscriptionUid: "ns-1", dataUids: ["test-abc"] })).toBe(true);
    expect(isExpectedTestDelivery(marked, { subscriptionUid: "ns-1", dataUids: ["test-other"] })).toBe(false);
  });

  it("falls back to the marker, for this subscription only", () => {
    expect(isExpectedTestDelivery(marked, { subscriptionUid: "ns-1", dataUids: [] })).toBe(true);
    expect(isMarkedTestDelivery(marked, "ns-2")).toBe(false);
    expect(isMarkedTestDelivery(bytes({ data: { uid: "x", test: true } }), "ns-2")).toBe(true);
    expect(isMarkedTestDelivery(bytes({ data: { uid: "x", test: "true" } }), "ns-2")).toBe(false);
  });

  it("reads bodies that are not JSON or have no data as no test", () => {
    expect(isMarkedTestDelivery(new TextEncoder().encode("not json"), "ns-1")).toBe(false);
    expect(isMarkedTestDelivery(bytes([1, 2]), "ns-1")).toBe(false);
    expect(isMarkedTestDelivery(null, "ns-1")).toBe(false);
  });
});
