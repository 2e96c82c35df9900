import { describe, expect, it } from "vitest";
import { compareSubscriptions, findQuietTypes, HOUR_MS, QUIET_BASELINE_MIN_EVENTS, type HourlyCount } from "./subscription-health";

const HERE = "https://rxwatch.example.com/api/webhooks/rxscale";
const OTHER = "https://old.example.com/api/webhooks/rxscale";

describe("compareSubscriptions", () => {
  const needed = ["order_created", "order_updated", "prescription_signed"];

  it("finds nothing when every needed type delivers here with a secret held", () => {
    const listed = needed.map((eventType, index) => ({ uid: `ns-${index}`, eventType, target: HERE }));
    expect(compareSubscriptions({ listed, neededTypes: needed, target: HERE, secretHeldFor: new Set(["ns-0", "ns-1", "ns-2"]) })).toEqual([]);
  });

  it("tells a missing type from one delivering elsewhere and one whose secret is unknown", () => {
    const listed = [
      { uid: "ns-a", eventType: "order_updated", target: OTHER },
      { uid: "ns-b", eventType: "prescription_signed", target: HERE },
      { uid: "ns-c", eventType: "unneeded_type", target: OTHER },
    ];
    expect(compareSubscriptions({ listed, neededTypes: needed, target: HERE, secretHeldFor: new Set() })).toEqual([
      { problem: "missing", eventType: "order_created", subscriptionUid: null },
      { problem: "elsewhere", eventType: "order_updated", subscriptionUid: "ns-a" },
      { problem: "secret_unknown", eventType: "prescription_signed", subscriptionUid: "ns-b" },
    ]);
  });

  it("accepts a type when one of several subscriptions delivers here with its secret, and compares targets as URLs", () => {
    const listed = [
      { uid: "ns-old", eventType: "order_created", target: OTHER },
      { uid: "ns-new", eventType: "order_created", target: "HTTPS://RxWatch.Example.com/api/webhooks/rxscale" },
    ];
    expect(compareSubscriptions({ listed, neededTypes: ["order_created"], target: HERE, secretHeldFor: new Set(["ns-new"]) })).toEqual([]);
  });
});

describe("findQuietTypes", () => {
  // Tuesday 2026-12-01 10:20 UTC: the last complete hour is 09:00–10:00.
  const now = new Date("2026-12-01T10:20:00Z");
  const lastHour = Date.parse("2026-12-01T09:00:00Z") / HOUR_MS;
  const weeksBefore = (weeks: number) => lastHour - weeks * 7 * 24;

  function history(eventType: string, perWeek: number[]): HourlyCount[] {
    return perWeek.map((count, index) => ({ eventType, hour: weeksBefore(index + 1), count }));
  }

  it("names a type busy in this hour of the week for four weeks that had no event in the last hour", () => {
    const counts = [...history("order_created", [12, 9, 15, 7]), ...history("order_updated", [20, 20, 20, 20]), { eventType: "order_updated", hour: lastHour, count: 3 }];
    expect(findQuietTypes(counts, now)).toEqual([{ eventType: "order_created", baseline: [12, 9, 15, 7], quietSince: new Date("2026-12-01T09:00:00Z") }]);
  });

  it("does not judge a type without enough history or not busy in this hour, nor one that arrived again this hour", () => {
    const counts = [
      ...history("young_type", [12, 9, 15]),
      ...history("sparse_type", [12, QUIET_BASELINE_MIN_EVENTS - 1, 15, 9]),
      ...history("back_again", [12, 9, 15, 7]),
      { eventType: "back_again", hour: lastHour + 1, count: 1 },
    ];
    expect(findQuietTypes(counts, now)).toEqual([]);
  });
});
