import { describe, expect, it } from "vitest";
import { eventNameSettingsSchema } from "@/lib/settings";
import { createHandlerRegistry, handlerFor } from "./registry";
import { handlePharmacyOrderUpdated } from "./handlers/pharmacy-order-updated";
import { handleOrderCreated } from "./handlers/order-created";
import { handleUnknownEvent } from "./handlers/unknown-event";

describe("handler registry", () => {
  it("maps every documented pharmacy event and every default order/prescription name to its own handler", () => {
    const registry = createHandlerRegistry();
    expect(handlerFor(registry, "pharmacy_order_updated")).toBe(handlePharmacyOrderUpdated);
    const defaults = eventNameSettingsSchema.parse({});
    for (const name of Object.values(defaults)) expect(handlerFor(registry, name)).not.toBe(handleUnknownEvent);
    expect(registry.handlers.size).toBe(3 + Object.keys(defaults).length);
  });

  it("sends unknown types to the fallback", () => {
    expect(handlerFor(createHandlerRegistry(), "appointment_reminder_due")).toBe(handleUnknownEvent);
  });

  it("uses configured wire names for order events instead of the defaults", () => {
    const registry = createHandlerRegistry({ eventNames: { ...eventNameSettingsSchema.parse({}), orderCreated: "order.created" } });
    expect(handlerFor(registry, "order.created")).toBe(handleOrderCreated);
    expect(handlerFor(registry, "order_created")).toBe(handleUnknownEvent);
  });

  it("keeps the documented pharmacy names when a configured name collides with one", () => {
    const registry = createHandlerRegistry({ eventNames: { ...eventNameSettingsSchema.parse({}), orderUpdated: "pharmacy_order_updated" } });
    expect(handlerFor(registry, "pharmacy_order_updated")).toBe(handlePharmacyOrderUpdated);
  });

  it("lets overrides replace a built-in handler", () => {
    const replacement = async () => {};
    expect(handlerFor(createHandlerRegistry({ overrides: { pharmacy_order_updated: replacement } }), "pharmacy_order_updated")).toBe(replacement);
  });
});
