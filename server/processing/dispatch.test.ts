import { describe, expect, it } from "vitest";
import { eventNameSettingsSchema } from "@/lib/settings";
import { classifyEvent, createDispatcher } from "@/server/processing/dispatch";

const defaults = eventNameSettingsSchema.parse({});

describe("event dispatch", () => {
  it("classifies every documented pharmacy event and every default order/prescription name", () => {
    expect(classifyEvent("pharmacy_order_created", defaults)).toBe("pharmacy_order");
    expect(classifyEvent("pharmacy_order_updated", defaults)).toBe("pharmacy_order");
    expect(classifyEvent("pharmacy_sku_stock_updated", defaults)).toBe("pharmacy_sku_stock");
    expect(classifyEvent(defaults.orderCreated, defaults)).toBe("order");
    expect(classifyEvent(defaults.orderUpdated, defaults)).toBe("order");
    for (const name of [defaults.prescriptionApproved, defaults.prescriptionSigned, defaults.prescriptionDeclined]) expect(classifyEvent(name, defaults)).toBe("prescription");
  });

  it("sends unknown types to `other`", () => {
    expect(classifyEvent("appointment_reminder_due", defaults)).toBe("other");
  });

  it("uses configured wire names for order events instead of the defaults", () => {
    const names = { ...defaults, orderCreated: "order.created" };
    expect(classifyEvent("order.created", names)).toBe("order");
    expect(classifyEvent("order_created", names)).toBe("other");
    const dispatcher = createDispatcher();
    expect(dispatcher.handlerFor("order.created", names)).toBe(dispatcher.handlerFor(defaults.orderCreated));
    expect(dispatcher.handlerFor("order_created", names)).toBe(dispatcher.handlerFor("appointment_reminder_due"));
  });

  it("keeps the documented pharmacy names when a configured name collides with one", () => {
    expect(classifyEvent("pharmacy_order_updated", { ...defaults, orderUpdated: "pharmacy_order_updated" })).toBe("pharmacy_order");
    expect(classifyEvent("pharmacy_sku_stock_updated", { ...defaults, orderCreated: "pharmacy_sku_stock_updated" })).toBe("pharmacy_sku_stock");
  });

  it("lets overrides replace a built-in handler", () => {
    const replacement = async () => {};
    expect(createDispatcher({ overrides: { pharmacy_order_updated: replacement } }).handlerFor("pharmacy_order_updated")).toBe(replacement);
    expect(createDispatcher().handlerFor("pharmacy_order_updated")).not.toBe(replacement);
  });
});
