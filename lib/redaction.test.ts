import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PLACEHOLDER_PATTERN, REDACTION_POLICY, UNKNOWN_TYPE_SAFE_PATHS, redactBodyText, redactPayload, type JsonValue } from "./redaction";

/** docs/rxscale.md#example-pharmacy-order, with a prescription file and doctor as the order-detail API has them. */
function pharmacyOrder(): Record<string, unknown> {
  const address = { first_name: "Erika", last_name: "Beispiel", street: "Musterweg", house_number: "12a", zip_code: "20095", city: "Hamburg", country: "Germany", additional_address: null };
  return {
    event_type: "pharmacy_order_created",
    timestamp: 1735725600,
    payload_version: "1",
    data: {
      uid: "po-demo-0001",
      status: "waiting for pharmacy",
      name: "#2042",
      data: { note: "ring twice, Erika" },
      external_status: "OPEN",
      created_at: 1735725590,
      updated_at: 1735725590,
      deleted_at: null,
      pharmacy: { uid: "ph-demo-01", display_name: "Demo Apotheke Nord" },
      order: { uid: "ord-demo-7781", delivery_address: address, invoice_address: { ...address }, shipping_costs_amount: 495, shipping_costs_currency: "EUR", priority: 0 },
      delivery_type: { uid: "dt-demo-02", display_name: "Express", identifier: "express" },
      order_items: [
        {
          sku: { pzn: "04114918", product_uid: "prod-demo-33", product_display_name: "Ibuprofen 400", product_handle: "ibuprofen-400" },
          pharmacy_sku: { uid: "psku-demo-9", external_id: "PMS-4711", price: 2450, stock: 17 },
        },
      ],
      patient_data: { uid: "pat-demo-55", display_name: "Erika Beispiel", email: "erika@example.invalid", date_of_birth: "1985-06-30", insurance: { number: "A123456789" } },
      doctor_data: { uid: "doc-demo-4", display_name: "Dr. Hans Arzt" },
      prescription_file: { filename: "rx-erika.pdf", content_base64: "JVBERi0xLjQK" },
    },
  };
}

const PERSONAL_VALUES = ["Erika", "Beispiel", "Erika Beispiel", "Musterweg", "12a", "20095", "Hamburg", "erika@example.invalid", "1985-06-30", "pat-demo-55", "04114918", "Ibuprofen 400", "ibuprofen-400", "prod-demo-33", "PMS-4711", "psku-demo-9", "Dr. Hans Arzt", "doc-demo-4", "rx-erika.pdf", "JVBERi0xLjQK", "A123456789", "ring twice, Erika"];

/** Every non-null leaf of a document with its path (`[]` for array positions). */
function leaves(value: unknown, path: string[] = []): { path: string; value: string | number | boolean }[] {
  if (Array.isArray(value)) return value.flatMap((item) => leaves(item, [...path, "[]"]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, child]) => leaves(child, [...path, key]));
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return [{ path: path.join(".").replaceAll(".[]", "[]"), value }];
  return [];
}

function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, child]) => [key, ...keysOf(child)]);
  return [];
}

describe("redactPayload", () => {
  it("masks the patient, addresses, medications, doctor, prescription file and free-form data of a pharmacy order, by category", () => {
    const { value, maskedPaths } = redactPayload("pharmacy_order_created", pharmacyOrder());
    const text = JSON.stringify(value);
    for (const personal of PERSONAL_VALUES) expect(text).not.toContain(personal);
    expect(value).toMatchObject({
      event_type: "pharmacy_order_created",
      data: {
        uid: "po-demo-0001",
        status: "waiting for pharmacy",
        name: "#2042",
        data: "‹free_text›",
        pharmacy: { uid: "ph-demo-01", display_name: "Demo Apotheke Nord" },
        order: { uid: "ord-demo-7781", delivery_address: { first_name: "‹name›", street: "‹address›", additional_address: null }, shipping_costs_amount: 495 },
        delivery_type: { identifier: "express" },
        order_items: [{ sku: { pzn: "‹medication›", product_display_name: "‹medication›" }, pharmacy_sku: { uid: "‹medication›", price: 2450, stock: 17 } }],
        patient_data: { uid: "‹patient_id›", display_name: "‹name›", email: "‹contact›", date_of_birth: "‹birth_date›", insurance: { number: "‹unlisted›" } },
        doctor_data: { display_name: "‹doctor›" },
        prescription_file: { content_base64: "‹prescription_file›" },
      },
    });
    expect(maskedPaths).toEqual(
      expect.arrayContaining([
        { path: "data.patient_data.display_name", category: "name" },
        { path: "data.patient_data.email", category: "contact" },
        { path: "data.patient_data.date_of_birth", category: "birth_date" },
        { path: "data.patient_data.insurance.number", category: "unlisted" },
        { path: "data.order.invoice_address.city", category: "address" },
        { path: "data.order_items[].sku.pzn", category: "medication" },
        { path: "data.prescription_file.filename", category: "prescription_file" },
        { path: "data.data", category: "free_text" },
      ]),
    );
    // Listed once each, however many line items.
    expect(new Set(maskedPaths.map((entry) => entry.path)).size).toBe(maskedPaths.length);
  });

  it("masks fields a known type gains later, and keeps nulls, empty objects and array lengths", () => {
    const payload = pharmacyOrder();
    Object.assign(payload.data as object, { loyalty_card: "LC-99", data: {}, order_items: [{ sku: null }, { sku: null }] });
    const { value, maskedPaths } = redactPayload("pharmacy_order_updated", payload);
    expect(value).toMatchObject({ data: { loyalty_card: "‹unlisted›", data: {}, order_items: [{ sku: null }, { sku: null }] } });
    expect(maskedPaths).toContainEqual({ path: "data.loyalty_card", category: "unlisted" });
  });

  it("shows an unknown type's envelope, uid, status and timestamps and masks everything else", () => {
    const { value } = redactPayload("patient_profile_changed", {
      event_type: "patient_profile_changed",
      timestamp: 1,
      payload_version: "1",
      data: { uid: "pp-1", status: "active", updated_at: 2, name: "Erika Beispiel", nested: { uid: "pat-1", status: "x" }, tags: ["diabetes"] },
    });
    expect(value).toEqual({
      event_type: "patient_profile_changed",
      timestamp: 1,
      payload_version: "1",
      data: { uid: "pp-1", status: "active", updated_at: 2, name: "‹unlisted›", nested: { uid: "‹unlisted›", status: "‹unlisted›" }, tags: ["‹unlisted›"] },
    });
  });

  it("masks keys that are not field names, and everything under them, even where the path would be allowed", () => {
    const { value, maskedPaths } = redactPayload("pharmacy_order_created", { data: { "erika@example.invalid": { uid: "x" }, "Erika Beispiel": "yes", "uid.x": "y" } });
    expect(JSON.stringify(value)).not.toMatch(/Erika|erika|uid\.x|"x"|"y"/);
    expect(value).toEqual({ data: { "‹key 1›": { uid: "‹unlisted›" }, "‹key 2›": "‹unlisted›", "‹key 3›": "‹unlisted›" } });
    expect(maskedPaths).toContainEqual({ path: "data.‹key›.uid", category: "unlisted" });
  });

  it("masks a body that is not an object as a whole, leaf by leaf", () => {
    expect(redactPayload("pharmacy_order_created", "Erika").value).toBe("‹unlisted›");
    expect(redactPayload(null, [1, true, null]).value).toEqual(["‹unlisted›", "‹unlisted›", null]);
  });

  it("has a policy for every event type of the catalogue", async () => {
    const { DEFAULT_KNOWN_EVENT_TYPES } = await import("./rxscale/event-catalogue");
    for (const type of DEFAULT_KNOWN_EVENT_TYPES) expect(Object.keys(REDACTION_POLICY)).toContain(type);
  });
});

describe("redactBodyText", () => {
  it("masks text that is not JSON as a whole", () => {
    expect(redactBodyText("pharmacy_order_created", "name=Erika Beispiel")).toMatchObject({ text: "‹unparsed›", maskedPaths: [{ path: "$", category: "unparsed" }] });
  });

  it("uses the body's own event type when none is given", () => {
    const redacted = redactBodyText(null, JSON.stringify(pharmacyOrder()));
    expect(redacted.text).toContain('"display_name": "Demo Apotheke Nord"');
    expect(redacted.text).not.toContain("Erika");
  });
});

// ─── Properties ───────────────────────────────────────────────────────────────

const KNOWN_TYPES = Object.keys(REDACTION_POLICY);
/** Values that mark themselves: no policy, placeholder or generated key can produce one by chance. */
const personal = fc.uuid().map((uuid) => `PII-${uuid}`);
const personalLeaf = fc.oneof(personal, personal.map((text) => ({ value: text })));
const junk: fc.Arbitrary<JsonValue> = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>;

/** A pharmacy-order-like body with personal values at every sensitive place the policies name, and junk beside them. */
const payloadWithPersonalData = fc.record({
  event_type: fc.constantFrom(...KNOWN_TYPES, "something_new"),
  timestamp: fc.integer(),
  payload_version: fc.constant("1"),
  extra: junk,
  data: fc.record({
    uid: fc.string(),
    status: fc.string(),
    data: fc.dictionary(fc.string(), personalLeaf),
    patient_data: fc.record({ uid: personal, display_name: personal, email: personal, date_of_birth: personal, extra: fc.dictionary(fc.string(), personalLeaf) }),
    patient_uid: personal,
    patient_display_name: personal,
    doctor_data: fc.record({ uid: personal, display_name: personal }),
    doctor_uid: personal,
    appointment_type_name: personal,
    prescription_file: fc.record({ filename: personal, content_base64: personal }),
    delivery_address: fc.record({ first_name: personal, last_name: personal, street: personal, city: personal, zip_code: personal }),
    order: fc.record({
      uid: fc.string(),
      delivery_address: fc.record({ first_name: personal, last_name: personal, street: personal, house_number: personal, zip_code: personal, city: personal, extra: personalLeaf }),
      invoice_address: fc.record({ first_name: personal, last_name: personal, street: personal, city: personal }),
    }),
    order_items: fc.array(fc.record({ sku: fc.record({ pzn: personal, product_display_name: personal, product_uid: personal, extra: personalLeaf }), pharmacy_sku: fc.record({ uid: personal, external_id: personal, price: fc.integer() }) }), { maxLength: 3 }),
    unexpected: fc.dictionary(fc.string(), personalLeaf),
    junk,
  }),
});

/** The allow-list of a type as regular expressions over leaf paths (written as in {@link leaves}). */
function safePatternsOf(eventType: string): RegExp[] {
  const policy = REDACTION_POLICY[eventType];
  return (policy ? policy.safe : UNKNOWN_TYPE_SAFE_PATHS).map((pattern) => {
    const isSubtree = pattern.endsWith(".**");
    const escaped = (isSubtree ? pattern.slice(0, -3) : pattern).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`^${escaped}${isSubtree ? "(?:\\..+|\\[\\].*)?" : ""}$`);
  });
}

describe("redaction properties", () => {
  it("no value from a sensitive place survives, whatever else the payload holds", () => {
    fc.assert(
      fc.property(payloadWithPersonalData, (payload) => {
        const { value } = redactPayload(payload.event_type, payload);
        const text = JSON.stringify(value);
        expect(text).not.toContain("PII-");
      }),
      { numRuns: 300 },
    );
  });

  it("unknown types show nothing but their allow-listed paths, for arbitrary JSON", () => {
    const allowed = safePatternsOf("an_unknown_type");
    fc.assert(
      fc.property(fc.record({ event_type: fc.string(), data: junk, other: junk }), junk, (payload, anything) => {
        for (const input of [payload, anything]) {
          const { value } = redactPayload("an_unknown_type", input);
          for (const leaf of leaves(value)) {
            if (typeof leaf.value === "string" && PLACEHOLDER_PATTERN.test(leaf.value)) continue;
            expect(allowed.some((pattern) => pattern.test(leaf.path)), `${leaf.path} is shown`).toBe(true);
          }
          for (const key of keysOf(value)) expect(key).toMatch(/^(?:[a-z][a-zA-Z0-9_]{0,63}|‹key \d+›)$/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("every value a known type shows sits at an allow-listed path, unchanged", () => {
    fc.assert(
      fc.property(payloadWithPersonalData, (payload) => {
        const allowed = safePatternsOf(payload.event_type);
        const { value } = redactPayload(payload.event_type, payload);
        const original = new Map(leaves(payload).map((leaf) => [leaf.path, leaf.value]));
        for (const leaf of leaves(value)) {
          if (typeof leaf.value === "string" && PLACEHOLDER_PATTERN.test(leaf.value)) continue;
          expect(allowed.some((pattern) => pattern.test(leaf.path)), `${leaf.path} is shown`).toBe(true);
          if (!leaf.path.includes("[]")) expect(original.get(leaf.path)).toBe(leaf.value);
        }
      }),
      { numRuns: 300 },
    );
  });
});
