import { describe, expect, it } from "vitest";
import { formatDuration } from "./format";

describe("formatDuration", () => {
  it("picks a readable unit", () => {
    expect(formatDuration(4_000)).toBe("4 s");
    expect(formatDuration(5 * 60_000)).toBe("5 min");
    expect(formatDuration(90 * 60_000)).toBe("1.5 h");
    expect(formatDuration(3 * 86_400_000)).toBe("3 d");
    expect(formatDuration(-10)).toBe("0 s");
  });
});
