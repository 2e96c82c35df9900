import "server-only";
import type { EventHandler } from "@/server/processing/event";
import { recordOrderEvent } from "@/server/orders/order-projector";

/**
 * The `order_created` event (a patient placed an order), under whatever wire name the settings map to it. RxScale documents neither the wire name nor the payload (FACTS §4.1); the order is projected from whatever identifiers it carries.
 */
export const handleOrderCreated: EventHandler = async (event) => {
  await recordOrderEvent(event);
};
