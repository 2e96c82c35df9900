import { describe, expect, it } from "vitest";
import { MAX_SHAPE_PATHS, parentPath, readPayloadShape } from "./drift";

describe("readPayloadShape", () => {
  it("writes array elements as [] and keeps types per path, never values", () => {
    const shape = readPayloadShape({ event_type: "x", timestamp: 1, data: { uid: "po-1", status: "init", items: [{ amount: 1 }, { amount: "2" }], note: null } });
    expect(Object.fromEntries([...shape.fields].map(([path, types]) => [path, [...types].sort()]))).toEqual({
      event_type: ["string"],
      timestamp: ["number"],
      data: ["object"],
      "data.uid": ["string"],
      "data.status": ["string"],
      "data.items": ["array"],
      "data.items[]": ["object"],
      "data.items[].amount": ["number", "string"],
      "data.note": ["null"],
    });
    expect(shape.status).toBe("init");
    expect(JSON.stringify([...shape.fields.keys()])).not.toContain("po-1");
  });

  it("does not turn keys that are values into paths, and bounds the work for a wide body", () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_SHAPE_PATHS * 2 }, (_, index) => [`k${index}`, index]));
    const shape = readPayloadShape({ data: { "erika@example.com": 1, ...wide } });
    expect([...shape.fields.keys()]).toContain("data.‹key›");
    expect(JSON.stringify([...shape.fields.keys()])).not.toContain("erika");
    expect(shape.fields.size).toBeLessThanOrEqual(MAX_SHAPE_PATHS);
  });

  it("names each path's parent", () => {
    expect([parentPath("data.order.uid"), parentPath("data.items[]"), parentPath("data")]).toEqual(["data.order", "data.items", null]);
  });
});
