import "server-only";
import type { EventHandler } from "@/server/processing/event";
import { recordOrderEvent } from "@/server/orders/order-projector";
import { parseEventData } from "./parse-data";
import { pharmacyOrderDataSchema } from "./pharmacy-order-data";

/**
 * `pharmacy_order_updated`: an order's status changed; RxScale sends the full
 * order with its new status. Checks uid and status, then folds it into its order (the projection never
 * regresses on out-of-order deliveries, FACTS §5.2).
 */
export const handlePharmacyOrderUpdated: EventHandler = async (event) => {
  parseEventData(event, pharmacyOrderDataSchema);
  await recordOrderEvent(event);
};
