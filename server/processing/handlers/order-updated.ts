import "server-only";
import type { EventHandler } from "@/server/processing/event";
import { recordOrderEvent } from "@/server/orders/order-projector";

/**
 * The `order_updated` event (the patient order's status changed), under its configured wire name. Projected like every order event.
 */
export const handleOrderUpdated: EventHandler = async (event) => {
  await recordOrderEvent(event);
};
