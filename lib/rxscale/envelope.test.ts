import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ENVELOPE_KEY_LENGTH, dataUidOf, parseWebhookEnvelope, readEnvelopeLeniently } from "./envelope";

const valid = { event_type: "pharmacy_order_updated", timestamp: 1735725600, payload_version: "1", data: { uid: "po-demo-0001", status: "in-progress" } };

describe("parseWebhookEnvelope", () => {
  it("accepts RxScale's envelope and extracts data.uid for the dedup key", () => {
    const result = parseWebhookEnvelope(valid);
    expect(result).toEqual({ ok: true, envelope: valid, dataUid: "po-demo-0001" });
  });

  it("keeps unknown envelope fields out of the way instead of refusing them", () => {
    expect(parseWebhookEnvelope({ ...valid, delivery_attempt: 3 }).ok).toBe(true);
  });

  it("names the missing field", () => {
    const { timestamp: _timestamp, ...rest } = valid;
    expect(parseWebhookEnvelope(rest)).toEqual({ ok: false, field: "timestamp", message: "is required" });
  });

  it("names the mistyped field without repeating its value", () => {
    const result = parseWebhookEnvelope({ ...valid, event_type: 42, data: "Erika Beispiel" });
    expect(result).toMatchObject({ ok: false, field: "event_type" });
    expect(JSON.stringify(result)).not.toContain("Erika");
  });

  it("refuses JSON that is not an object as a whole", () => {
    for (const value of [[], "x", 1, null, true]) expect(parseWebhookEnvelope(value)).toMatchObject({ ok: false, field: "(body)" });
  });

  it("refuses seconds that are not a non-negative safe integer", () => {
    for (const timestamp of [1.5, -1, 2 ** 60, Number.NaN, "1735725600"]) expect(parseWebhookEnvelope({ ...valid, timestamp })).toMatchObject({ ok: false, field: "timestamp" });
  });

  it("refuses key parts too long for the unique index", () => {
    expect(parseWebhookEnvelope({ ...valid, event_type: "e".repeat(MAX_ENVELOPE_KEY_LENGTH + 1) })).toMatchObject({ ok: false, field: "event_type" });
    expect(parseWebhookEnvelope({ ...valid, data: { uid: "u".repeat(MAX_ENVELOPE_KEY_LENGTH + 1) } })).toMatchObject({ ok: false, field: "data.uid" });
  });

  it("never throws and only returns one of its two shapes, whatever JSON it is given", () => {
    const envelopeLike = fc.record(
      { event_type: fc.oneof(fc.string(), fc.jsonValue()), timestamp: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()), payload_version: fc.oneof(fc.string(), fc.jsonValue()), data: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), envelopeLike, fc.anything()), (value) => {
        const result = parseWebhookEnvelope(value);
        if (result.ok) {
          expect(typeof result.envelope.event_type).toBe("string");
          expect(Number.isSafeInteger(result.envelope.timestamp)).toBe(true);
          expect(typeof result.dataUid).toBe("string");
        } else {
          expect(typeof result.field).toBe("string");
          expect(typeof result.message).toBe("string");
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("dataUidOf", () => {
  it("uses a string uid as is, writes a numeric one in decimal and falls back to an empty string", () => {
    expect(dataUidOf({ uid: "po-1" })).toBe("po-1");
    expect(dataUidOf({ uid: 17 })).toBe("17");
    expect(dataUidOf({ uid: null })).toBe("");
    expect(dataUidOf({})).toBe("");
  });
});

describe("readEnvelopeLeniently", () => {
  it("reads a numeric payload_version as its string and names the reading", () => {
    expect(readEnvelopeLeniently({ ...valid, payload_version: 1 })).toEqual({ ok: true, envelope: valid, dataUid: "po-demo-0001", readings: ["payload_version_as_number"] });
  });

  it("reads a digit-string timestamp as its number of seconds", () => {
    expect(readEnvelopeLeniently({ ...valid, timestamp: "1735725600" })).toMatchObject({ ok: true, envelope: { timestamp: 1735725600 }, readings: ["timestamp_as_string"] });
  });

  it("takes a missing payload_version as \"1\"", () => {
    const { payload_version: _version, ...rest } = valid;
    expect(readEnvelopeLeniently(rest)).toMatchObject({ ok: true, envelope: { payload_version: "1" }, readings: ["payload_version_missing"] });
  });

  it("reads a documented envelope without any lenient reading", () => {
    expect(readEnvelopeLeniently(valid)).toEqual({ ok: true, envelope: valid, dataUid: "po-demo-0001", readings: [] });
  });

  it("still refuses what no reading makes sense of, naming the field", () => {
    expect(readEnvelopeLeniently({ ...valid, timestamp: "yesterday" })).toMatchObject({ ok: false, field: "timestamp" });
    expect(readEnvelopeLeniently({ ...valid, timestamp: "1735725600.5" })).toMatchObject({ ok: false, field: "timestamp" });
    expect(readEnvelopeLeniently({ ...valid, payload_version: 1.5 })).toMatchObject({ ok: true, envelope: { payload_version: "1.5" } });
    expect(readEnvelopeLeniently([])).toMatchObject({ ok: false, field: "(body)" });
  });
});
