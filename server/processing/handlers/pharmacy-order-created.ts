import "server-only";
import type { EventHandler } from "@/server/processing/event";
import { parseEventData } from "./parse-data";
import { pharmacyOrderDataSchema } from "./pharmacy-order-data";

/**
 * `pharmacy_order_created`: a new pharmacy order was assigned to this pharmacy.
 * Checks the order's uid and status; the order projection arrives with its own issue.
 */
export const handlePharmacyOrderCreated: EventHandler = async (event) => {
  parseEventData(event, pharmacyOrderDataSchema);
};
