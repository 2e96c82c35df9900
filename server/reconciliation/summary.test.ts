import { describe, expect, it } from "vitest";
import { formatReconcileSummary, parseSinceDuration } from "./summary";

describe("formatReconcileSummary", () => {
  it("ends with one JSON line holding exactly the issue's counts, in its order", () => {
    const lines = formatReconcileSummary({ runId: "r1", state: "completed", error: null, checked: 10, inSync: 6, missing: 1, behind: 2, unknownToRxScale: 1, filled: 0 });
    expect(lines.at(-1)).toBe('{"checked":10,"inSync":6,"missing":1,"behind":2,"unknownToRxScale":1,"filled":0}');
    expect(lines.join("\n")).toContain("--fill");
  });
});

describe("parseSinceDuration", () => {
  it("reads minutes, hours and days and refuses anything else", () => {
    expect([parseSinceDuration("90m"), parseSinceDuration("24h"), parseSinceDuration("7d")]).toEqual([5_400_000, 86_400_000, 604_800_000]);
    expect(() => parseSinceDuration("yesterday")).toThrow(/--since/);
  });
});
