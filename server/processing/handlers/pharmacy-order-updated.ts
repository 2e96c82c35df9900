import "server-only";
import type { EventHandler } from "@/server/processing/event";
import { parseEventData } from "./parse-data";
import { pharmacyOrderDataSchema } from "./pharmacy-order-data";

/**
 * `pharmacy_order_updated`: an order's status changed; RxScale sends the full
 * order with its new status. Checks uid and status; the projection (which must
 * not regress on out-of-order deliveries, FACTS §5.2) arrives with its own issue.
 */
export const handlePharmacyOrderUpdated: EventHandler = async (event) => {
  parseEventData(event, pharmacyOrderDataSchema);
};
