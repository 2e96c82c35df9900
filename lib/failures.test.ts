import { describe, expect, it } from "vitest";
import { autoHealthRange, describeFailureGroup, replayFilterSchema, type FailureEvidence } from "./failures";

const utc = (iso: string) => iso.slice(11, 16);
const group = (evidence: FailureEvidence, count = 4) => ({ count, firstSeenAt: "2026-11-28T14:02:00.000Z", lastSeenAt: "2026-11-28T14:40:00.000Z", evidence });

const signature = (overrides: Partial<Extract<FailureEvidence, { kind: "signature" }>>): FailureEvidence => ({
  kind: "signature",
  reasonCode: "bad_signature",
  verifiedBefore: null,
  verifiedSince: 0,
  failingTypes: [{ value: "pharmacy_order_updated", count: 4 }],
  verifyingTypes: [],
  signatureShapes: [],
  userAgents: [],
  sourceCount: 1,
  configuredSecrets: 1,
  ...overrides,
});

describe("describeFailureGroup", () => {
  it("suspects a rotated secret when failures begin abruptly after verified deliveries", () => {
    const { cause } = describeFailureGroup(group(signature({ verifiedBefore: { at: "2026-11-28T14:01:00.000Z", secretId: "env:1" } })), utc);
    expect(cause).toBe(
      "All 4 failures started at 14:02; until then deliveries verified (the last at 14:01 with secret env:1) and none has since. Was the signing secret rotated on RxScale's side (a subscription re-created or its secret renewed)?",
    );
  });

  it("blames one subscription when only its event type fails while others verify", () => {
    const { cause } = describeFailureGroup(group(signature({ verifiedBefore: { at: "2026-11-28T14:01:00.000Z", secretId: "env:1" }, verifiedSince: 9, verifyingTypes: ["pharmacy_order_created"] })), utc);
    expect(cause).toMatch(/^Only pharmacy_order_updated deliveries fail \(4 since 14:02\) while pharmacy_order_created still verify/);
  });

  it("suspects a second sender or altered bodies when the same type both fails and verifies", () => {
    const { cause } = describeFailureGroup(group(signature({ verifiedSince: 3, verifyingTypes: ["pharmacy_order_updated"] })), utc);
    expect(cause).toMatch(/^Some deliveries fail and others verify \(4 failed, 3 verified since 14:02\)/);
  });

  it("says so when no signing secret is configured at all", () => {
    expect(describeFailureGroup(group(signature({ configuredSecrets: 0 })), utc).cause).toMatch(/no signing secret configured at all/);
  });

  it("reports silence with the expected types that never arrived", () => {
    const evidence: FailureEvidence = {
      kind: "silence",
      lastDeliveryAt: "2026-11-28T13:05:00.000Z",
      windowMinutes: 30,
      expectedTypes: ["pharmacy_order_created", "pharmacy_order_updated"],
      lastByType: [
        { eventType: "pharmacy_order_created", lastAt: "2026-11-28T13:05:00.000Z" },
        { eventType: "pharmacy_order_updated", lastAt: null },
      ],
    };
    expect(describeFailureGroup(group(evidence, 57), utc).cause).toMatch(/^No delivery since 13:05, longer than the 30-minute window, while subscribed to pharmacy_order_created and pharmacy_order_updated \(pharmacy_order_updated never arrived\)/);
  });
});

describe("replayFilterSchema", () => {
  it("refuses a filter that would select every event", () => {
    expect(replayFilterSchema.safeParse({}).success).toBe(false);
    expect(replayFilterSchema.safeParse({ statuses: ["dead"] }).success).toBe(true);
  });
});

describe("autoHealthRange", () => {
  const now = new Date("2026-12-05T12:00:00Z");
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

  it("picks the shortest range that reaches back to the oldest delivery, so a new instance is not squeezed into a spike", () => {
    expect(autoHealthRange(null, now)).toBe("1h");
    expect(autoHealthRange(ago(20), now)).toBe("1h");
    expect(autoHealthRange(ago(60), now)).toBe("1h");
    expect(autoHealthRange(ago(61), now)).toBe("6h");
    expect(autoHealthRange(ago(5 * 60), now)).toBe("6h");
    expect(autoHealthRange(ago(20 * 60), now)).toBe("24h");
    expect(autoHealthRange(ago(3 * 24 * 60), now)).toBe("7d");
  });

  it("stays at the longest range for an instance older than it", () => {
    expect(autoHealthRange(ago(90 * 24 * 60), now)).toBe("7d");
  });
});
