import { describe, expect, it } from "vitest";
import { DELIVERY_FLAGS, REJECTION_CODES, REJECTION_STATUS, formatDeliveryFlags, parseDeliveryFlags } from "./deliveries";

describe("delivery vocabulary", () => {
  it("gives every rejection a 4xx: a refusal is never the sender's cue to retry", () => {
    for (const code of REJECTION_CODES) {
      expect(REJECTION_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(REJECTION_STATUS[code]).toBeLessThan(500);
    }
  });

  it("stores flags in their documented order and reads back only known ones", () => {
    expect(formatDeliveryFlags(["unknown_payload_version", "key_collision"])).toBe("key_collision,unknown_payload_version");
    expect(parseDeliveryFlags("key_collision,from_the_future,unknown_event_type")).toEqual(["key_collision", "unknown_event_type"]);
    expect(parseDeliveryFlags("")).toEqual([]);
    expect(formatDeliveryFlags(DELIVERY_FLAGS)).toBe(DELIVERY_FLAGS.join(","));
  });
});
