import { describe, expect, it } from "vitest";
import { formatDuration, formatInstant, formatRelative, toTimeZoneChoice } from "./time";

describe("formatDuration", () => {
  it("picks a readable unit", () => {
    expect(formatDuration(4_000)).toBe("4 s");
    expect(formatDuration(5 * 60_000)).toBe("5 min");
    expect(formatDuration(90 * 60_000)).toBe("1.5 h");
    expect(formatDuration(3 * 86_400_000)).toBe("3 d");
    expect(formatDuration(-10)).toBe("0 s");
  });
});

describe("formatInstant", () => {
  const instant = "2026-12-04T13:28:35.042Z";

  it("shows UTC in 24-hour form with the zone", () => {
    expect(formatInstant(instant, "UTC")).toBe("2026-12-04 13:28:35 UTC");
  });

  it("shows a named zone with its offset on that day", () => {
    expect(formatInstant(instant, "Europe/Berlin")).toBe("2026-12-04 14:28:35 UTC+1");
    expect(formatInstant("2026-07-04T13:28:35Z", "Europe/Berlin")).toBe("2026-07-04 15:28:35 UTC+2");
    expect(formatInstant(instant, "Asia/Kolkata")).toBe("2026-12-04 18:58:35 UTC+5:30");
  });

  it("writes midnight as 00, never 24", () => {
    expect(formatInstant("2026-12-04T23:00:00Z", "Europe/Berlin")).toBe("2026-12-05 00:00:00 UTC+1");
  });

  it("adds milliseconds when asked", () => {
    expect(formatInstant(instant, "UTC", { withMilliseconds: true })).toBe("2026-12-04 13:28:35.042 UTC");
  });
});

describe("formatRelative", () => {
  it("says how long ago, or how long until", () => {
    const now = Date.parse("2026-12-04T13:30:00Z");
    expect(formatRelative("2026-12-04T13:27:00Z", now)).toBe("3 min ago");
    expect(formatRelative("2026-12-04T13:30:30Z", now)).toBe("in 30 s");
  });
});

describe("toTimeZoneChoice", () => {
  it("keeps browser, UTC and known zones and drops anything else", () => {
    expect(toTimeZoneChoice("browser")).toBe("browser");
    expect(toTimeZoneChoice("UTC")).toBe("UTC");
    expect(toTimeZoneChoice("Europe/Vienna")).toBe("Europe/Vienna");
    expect(toTimeZoneChoice("Mars/Olympus")).toBeNull();
    expect(toTimeZoneChoice("")).toBeNull();
    expect(toTimeZoneChoice(undefined)).toBeNull();
  });
});
