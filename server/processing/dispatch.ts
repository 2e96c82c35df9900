import "server-only";
import { z } from "zod";
import type { FactKind } from "@/lib/lifecycle";
import { factKindOf } from "@/lib/order-facts";
import { eventNameSettingsSchema, type EventNameSettings } from "@/lib/settings";
import { recordOrderEvent } from "@/server/orders/order-projector";
import { invalidPayloadError } from "@/server/processing/errors";
import type { EventHandler, InboxEvent } from "@/server/processing/event";

/** What the worker does with an event: decided once, from its wire name and the `eventNames` settings. */
export type EventClass = FactKind | "pharmacy_sku_stock" | "other";

/**
 * Classifies a wire name. The documented pharmacy names are checked before
 * the configurable order and prescription names, so a misconfigured name
 * cannot take one of them over (see docs/rxscale.md#order-and-prescription-events).
 */
export function classifyEvent(type: string, eventNames: EventNameSettings): EventClass {
  if (type === "pharmacy_sku_stock_updated") return "pharmacy_sku_stock";
  return factKindOf(type, eventNames) ?? "other";
}

/**
 * What the pharmacy-order events must carry: documented for
 * `pharmacy_order_created`, the same shape inferred for `_updated`. A numeric
 * uid is read as its decimal string, as ingest does for the dedup key.
 */
export const pharmacyOrderDataSchema = z.looseObject({
  uid: z.preprocess((value) => (typeof value === "number" && Number.isFinite(value) ? String(value) : value), z.string().min(1)),
  status: z.string().min(1),
});

/** The stock event's payload is undocumented; only the SKU uid is required, so a guess about the rest cannot dead-letter real events. */
const stockDataSchema = z.looseObject({ uid: z.string().min(1) });

/** Parses `event.data` with `schema`, or throws a permanent `invalid_payload` error naming the fields (never their values). */
function requireData(event: InboxEvent, schema: z.ZodType): void {
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) throw invalidPayloadError(parsed.error.issues);
}

/**
 * One handler per class. Order, prescription and pharmacy-order events all
 * become an order fact; only pharmacy orders have a documented shape to check.
 * `other` (a type RxWatch does not know) is kept raw and counts as processed:
 * a later version can re-process it.
 */
const CLASS_HANDLERS: Readonly<Record<EventClass, EventHandler>> = {
  order: (event) => recordOrderEvent(event, "order"),
  prescription: (event) => recordOrderEvent(event, "prescription"),
  pharmacy_order: async (event) => {
    checkOrderEvent(event, "pharmacy_order");
    await recordOrderEvent(event, "pharmacy_order");
  },
  pharmacy_sku_stock: async (event) => requireData(event, stockDataSchema),
  other: async () => {},
};

export interface DispatcherOptions {
  /** Handlers by wire name that replace the built-in ones (tests). */
  overrides?: Readonly<Record<string, EventHandler>>;
  /** Replaces the handler of class `other` (tests). */
  fallback?: EventHandler;
}

export interface Dispatcher {
  /** The handler for an event of `type` under the given wire names. */
  handlerFor(type: string, eventNames?: EventNameSettings): EventHandler;
  /**
   * The fact kind of an event whose built-in handler records an order fact,
   * so the worker can record a whole batch at once; null when the type is not
   * an order event or its handler is replaced.
   */
  orderFactKindFor(type: string, eventNames?: EventNameSettings): FactKind | null;
}

/**
 * Checks what an order event of `kind` must carry before its fact is recorded
 * in a batch; throws the same permanent `invalid_payload` error as its handler.
 */
export function checkOrderEvent(event: InboxEvent, kind: FactKind): void {
  if (kind === "pharmacy_order") requireData(event, pharmacyOrderDataSchema);
}

export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const defaults = eventNameSettingsSchema.parse({});
  return {
    handlerFor(type, eventNames = defaults) {
      const override = options.overrides?.[type];
      if (override) return override;
      const eventClass = classifyEvent(type, eventNames);
      return eventClass === "other" && options.fallback ? options.fallback : CLASS_HANDLERS[eventClass];
    },
    orderFactKindFor(type, eventNames = defaults) {
      if (options.overrides?.[type]) return null;
      const eventClass = classifyEvent(type, eventNames);
      return eventClass === "order" || eventClass === "prescription" || eventClass === "pharmacy_order" ? eventClass : null;
    },
  };
}
