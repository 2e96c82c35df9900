import "server-only";
import type { EventHandler } from "@/server/processing/event";
import { recordOrderEvent } from "@/server/orders/order-projector";
import { parseEventData } from "./parse-data";
import { pharmacyOrderDataSchema } from "./pharmacy-order-data";

/**
 * `pharmacy_order_created`: a new pharmacy order was assigned to this pharmacy.
 * Checks the order's uid and status; then folds it into its order.
 */
export const handlePharmacyOrderCreated: EventHandler = async (event) => {
  parseEventData(event, pharmacyOrderDataSchema);
  await recordOrderEvent(event);
};
