import { describe, expect, it } from "vitest";
import { hasRole, navigationFor, toRole } from "./roles";

describe("roles", () => {
  it("orders privileges staff < support < admin", () => {
    expect(hasRole("admin", "support")).toBe(true);
    expect(hasRole("support", "staff")).toBe(true);
    expect(hasRole("support", "admin")).toBe(false);
    expect(hasRole("staff", "support")).toBe(false);
  });

  it("treats an unknown stored role as the least privileged", () => {
    expect(toRole("root")).toBe("staff");
    expect(toRole(undefined)).toBe("staff");
    expect(toRole("admin")).toBe("admin");
  });

  it("shows each role only its navigation", () => {
    expect(navigationFor("staff").map((i) => i.label)).toEqual(["Orders", "Insights"]);
    expect(navigationFor("support").map((i) => i.label)).toEqual(["Orders", "Insights", "Failures", "Deliveries", "Reconciliation", "Event catalogue"]);
    expect(navigationFor("admin").map((i) => i.label)).toEqual(["Orders", "Insights", "Failures", "Deliveries", "Reconciliation", "Event catalogue", "Settings", "Audit"]);
  });
});
