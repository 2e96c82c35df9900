import { describe, expect, it } from "vitest";
import { retentionSettingsSchema } from "@/lib/settings";

describe("retention settings", () => {
  it("defaults to 90 days for bodies, 365 for events, 30 for rejected deliveries and 730 for the audit log", () => {
    expect(retentionSettingsSchema.parse({})).toEqual({ rawBodyDays: 90, eventDays: 365, rejectedDeliveryDays: 30, auditDays: 730 });
  });

  it("refuses an audit period shorter than any other period, naming the audit field", () => {
    for (const shorter of [{ eventDays: 800 }, { rawBodyDays: 731 }, { rejectedDeliveryDays: 1000 }]) {
      const result = retentionSettingsSchema.safeParse(shorter);
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["auditDays"]);
    }
    expect(retentionSettingsSchema.safeParse({ eventDays: 730 }).success).toBe(true);
  });
});
