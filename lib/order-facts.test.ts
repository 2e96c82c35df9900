import { describe, expect, it } from "vitest";
import { extractOrderFact, extractSearchKeys } from "./order-facts";
import { eventNameSettingsSchema } from "./settings";

const names = eventNameSettingsSchema.parse({});
// docs/rxscale.md#example-pharmacy-order (an update), abridged.
const pharmacyUpdate = {
  uid: "po-demo-0001",
  status: "ready_for_pickup",
  name: "#2042",
  updated_at: 1735729195,
  pharmacy: { uid: "ph-demo-01", display_name: "Demo Apotheke Nord" },
  order: { uid: "ord-demo-7781", delivery_address: { first_name: "Erika", last_name: "Beispiel" } },
  delivery_type: { uid: "dt-demo-02", display_name: "Express", identifier: "express" },
  patient_data: { uid: "pat-demo-55", display_name: "Erika Beispiel", email: "erika@example.invalid", date_of_birth: "1985-06-30" },
};

const fakeKey = (uid: string) => `key(${uid})`;

describe("extractOrderFact", () => {
  it("places a pharmacy order under its parent order, keeping identifiers and no personal data", () => {
    const fact = extractOrderFact({ id: "e1", type: "pharmacy_order_updated", timestamp: 1735729200, data: pharmacyUpdate, receivedAt: 1 }, names, fakeKey);
    expect(fact).toEqual({
      eventId: "e1",
      kind: "pharmacy_order",
      eventType: "pharmacy_order_updated",
      orderUid: "ord-demo-7781",
      entityUid: "po-demo-0001",
      status: "ready_for_pickup",
      updatedAt: 1735729195,
      timestamp: 1735729200,
      receivedAt: 1,
      pharmacyUid: "ph-demo-01",
      pharmacyName: "Demo Apotheke Nord",
      deliveryType: "Express",
      shopOrderName: "#2042",
      patientKey: "key(pat-demo-55)",
    });
    expect(JSON.stringify(fact)).not.toMatch(/Erika|Beispiel|1985/);
  });

  it("reads prescription events by their configured names, taking the status from the name when absent", () => {
    const fact = extractOrderFact({ id: "e2", type: "prescription_signed", timestamp: 10, data: { uid: "px-1", order: { uid: "ord-1" } }, receivedAt: 2 }, names, fakeKey);
    expect(fact).toMatchObject({ kind: "prescription", orderUid: "ord-1", entityUid: "px-1", status: "signed", updatedAt: null });
    const renamed = eventNameSettingsSchema.parse({ prescriptionSigned: "rx.signed" });
    expect(extractOrderFact({ id: "e3", type: "rx.signed", timestamp: 10, data: { uid: "px-1", order_uid: "ord-1" }, receivedAt: 2 }, renamed, fakeKey)).toMatchObject({ status: "signed", orderUid: "ord-1" });
  });

  it("ignores events that are not about orders or lack a uid, and tolerates wrong types", () => {
    expect(extractOrderFact({ id: "e4", type: "pharmacy_sku_stock_updated", timestamp: 1, data: { uid: "psku-1" }, receivedAt: 1 }, names, fakeKey)).toBeNull();
    expect(extractOrderFact({ id: "e5", type: "pharmacy_order_updated", timestamp: 1, data: { status: "completed" }, receivedAt: 1 }, names, fakeKey)).toBeNull();
    const odd = extractOrderFact({ id: "e6", type: "pharmacy_order_updated", timestamp: 1, data: { uid: "po-9", status: "completed", updated_at: "yesterday", pharmacy: 7 }, receivedAt: 1 }, names, fakeKey);
    expect(odd).toMatchObject({ orderUid: "po-9", updatedAt: null, pharmacyUid: null });
  });
});

describe("extractSearchKeys", () => {
  it("extracts order, pharmacy order, shop name, patient, pharmacy and status", () => {
    expect(extractSearchKeys("pharmacy_order_updated", pharmacyUpdate, fakeKey)).toEqual({
      orderUid: "ord-demo-7781",
      pharmacyOrderUid: "po-demo-0001",
      shopOrderName: "#2042",
      patientKey: "key(pat-demo-55)",
      pharmacyUid: "ph-demo-01",
      status: "ready_for_pickup",
    });
    expect(extractSearchKeys("order_created", { uid: "ord-5", status: "init" }, fakeKey)).toMatchObject({ orderUid: "ord-5", pharmacyOrderUid: null });
    expect(extractSearchKeys("anything", "not an object", fakeKey)).toMatchObject({ orderUid: null });
  });
});
