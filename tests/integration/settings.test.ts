import { describe, expect, it } from "vitest";
import { forgetCachedSettings, getSettings, updateSettings } from "@/server/settings/settings";
import { upsertSettingRow } from "@/server/repositories/settings";
import { resolveRxScaleBaseUrl } from "@/server/rxscale/environments";

describe("settings store", () => {
  it("starts with documented defaults", async () => {
    const connection = await getSettings("connection");
    expect(connection).toMatchObject({ environment: "production", trailingSlash: true, deleteUidPlacement: "path" });
    expect(resolveRxScaleBaseUrl(connection.environment, connection.customBaseUrl)).toBe("https://api.rxscale.com");
    expect((await getSettings("eventNames")).prescriptionSigned).toBe("prescription_signed");
    expect((await getSettings("statusAppearance"))["waiting for pharmacy"]).toEqual({ label: "Waiting for pharmacy", colour: "amber" });
    expect((await getSettings("retention")).rawBodyDays).toBe(90);
  });

  it("stores a valid change and refuses an invalid one with the field named, keeping the old value", async () => {
    await updateSettings("stuckThresholds", { waitingForPharmacyHours: 12 }, null);
    expect((await getSettings("stuckThresholds")).waitingForPharmacyHours).toBe(12);
    await expect(updateSettings("stuckThresholds", { waitingForPharmacyHours: -1 }, null)).rejects.toMatchObject({
      code: "invalid_request",
      details: { issues: [{ path: "waitingForPharmacyHours" }] },
    });
    expect((await getSettings("stuckThresholds")).waitingForPharmacyHours).toBe(12);
  });

  it("falls back to defaults when a stored document no longer validates", async () => {
    await updateSettings("retention", { rawBodyDays: 30 }, null);
    expect((await getSettings("retention")).rawBodyDays).toBe(30);
    await upsertSettingRow("retention", "{not json", null);
    forgetCachedSettings();
    expect((await getSettings("retention")).rawBodyDays).toBe(90);
    await upsertSettingRow("retention", JSON.stringify({ rawBodyDays: "soon" }), null);
    forgetCachedSettings();
    expect((await getSettings("retention")).rawBodyDays).toBe(90);
  });
});
