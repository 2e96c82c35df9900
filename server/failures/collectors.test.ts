import { describe, expect, it } from "vitest";
import { densestWindow, percentile, processingKey, signatureShape, tally } from "./collectors";

describe("failure collectors' helpers", () => {
  it("classifies a malformed signature by shape only", () => {
    expect(signatureShape(undefined)).toBe("empty");
    expect(signatureShape("  ")).toBe("empty");
    expect(signatureShape(`sha256=${"a".repeat(64)}`)).toBe("prefixed");
    expect(signatureShape("abc123")).toBe("wrong_length");
    expect(signatureShape("not hex at all!")).toBe("not_hex");
  });

  it("finds the most arrivals within any window", () => {
    expect(densestWindow([], 1000)).toBe(0);
    expect(densestWindow([0, 100, 200, 5000, 5100], 1000)).toBe(3);
    expect(densestWindow([0, 999, 1000], 1000)).toBe(2);
  });

  it("takes nearest-rank percentiles", () => {
    expect(percentile([], 95)).toBeNull();
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(percentile(Array.from({ length: 100 }, (_, index) => index + 1), 95)).toBe(95);
  });

  it("counts most frequent first and keys processing groups by a hash of the error", () => {
    expect(tally(["b", "a", "b", "c", "a", "b"], 2)).toEqual([
      { value: "b", count: 3 },
      { value: "a", count: 2 },
    ]);
    expect(processingKey("pharmacy_order_updated", "invalid_payload: data.status")).toMatch(/^processing:pharmacy_order_updated:[0-9a-f]{12}$/);
    expect(processingKey("x", "a")).not.toBe(processingKey("x", "b"));
  });
});
