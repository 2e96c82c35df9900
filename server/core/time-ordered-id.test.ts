import { describe, expect, it } from "vitest";
import { timeOrderedId } from "./time-ordered-id";

describe("timeOrderedId", () => {
  it("is a version 7 UUID carrying the time in its first 48 bits", () => {
    const at = Date.UTC(2026, 10, 28, 12, 0, 0, 123);
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(at);
  });

  it("sorts by time across milliseconds and never repeats", () => {
    const earlier = timeOrderedId(1_000);
    const later = timeOrderedId(1_001);
    expect(earlier < later).toBe(true);
    const ids = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(5_000)));
    expect(ids.size).toBe(10_000);
  });
});
