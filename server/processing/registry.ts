import "server-only";
import { eventNameSettingsSchema, type EventNameSettings } from "@/lib/settings";
import type { EventHandler } from "@/server/processing/event";
import { handleOrderCreated } from "@/server/processing/handlers/order-created";
import { handleOrderUpdated } from "@/server/processing/handlers/order-updated";
import { handlePharmacyOrderCreated } from "@/server/processing/handlers/pharmacy-order-created";
import { handlePharmacyOrderUpdated } from "@/server/processing/handlers/pharmacy-order-updated";
import { handlePharmacySkuStockUpdated } from "@/server/processing/handlers/pharmacy-sku-stock-updated";
import { handlePrescriptionApproved } from "@/server/processing/handlers/prescription-approved";
import { handlePrescriptionDeclined } from "@/server/processing/handlers/prescription-declined";
import { handlePrescriptionSigned } from "@/server/processing/handlers/prescription-signed";
import { handleUnknownEvent } from "@/server/processing/handlers/unknown-event";

/**
 * The order and prescription events, by their key in the `eventNames`
 * settings: RxScale gives no wire names for them (FACTS §4.1), so an admin
 * sets the names under Settings (defaults in lib/settings).
 */
const ORDER_EVENT_HANDLERS: Readonly<Record<keyof EventNameSettings, EventHandler>> = {
  orderCreated: handleOrderCreated,
  orderUpdated: handleOrderUpdated,
  prescriptionApproved: handlePrescriptionApproved,
  prescriptionSigned: handlePrescriptionSigned,
  prescriptionDeclined: handlePrescriptionDeclined,
};

/** Documented wire names (FACTS §4.1). */
const PHARMACY_EVENT_HANDLERS: Readonly<Record<string, EventHandler>> = {
  pharmacy_order_created: handlePharmacyOrderCreated,
  pharmacy_order_updated: handlePharmacyOrderUpdated,
  pharmacy_sku_stock_updated: handlePharmacySkuStockUpdated,
};

/** Which handler runs for which wire name; types not in `handlers` go to `fallback`. */
export interface HandlerRegistry {
  handlers: ReadonlyMap<string, EventHandler>;
  fallback: EventHandler;
}

export interface HandlerRegistryOptions {
  /** Wire names of the order and prescription events; defaults as in lib/settings. */
  eventNames?: EventNameSettings;
  /** Handlers by wire name that replace or add to the built-in ones (tests, future event types). */
  overrides?: Readonly<Record<string, EventHandler>>;
  fallback?: EventHandler;
}

/**
 * Builds the type → handler map. The documented pharmacy names are set after
 * the configurable ones, so a misconfigured name cannot take one of them over;
 * overrides come last.
 */
export function createHandlerRegistry(options: HandlerRegistryOptions = {}): HandlerRegistry {
  const eventNames = options.eventNames ?? eventNameSettingsSchema.parse({});
  const handlers = new Map<string, EventHandler>();
  for (const key of eventNameSettingsSchema.keyof().options) handlers.set(eventNames[key], ORDER_EVENT_HANDLERS[key]);
  for (const [type, handler] of Object.entries(PHARMACY_EVENT_HANDLERS)) handlers.set(type, handler);
  for (const [type, handler] of Object.entries(options.overrides ?? {})) handlers.set(type, handler);
  return { handlers, fallback: options.fallback ?? handleUnknownEvent };
}

/** The handler for `type`, or the registry's fallback for types it does not know. */
export function handlerFor(registry: HandlerRegistry, type: string): EventHandler {
  return registry.handlers.get(type) ?? registry.fallback;
}
