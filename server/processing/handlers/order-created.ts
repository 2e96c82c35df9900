import "server-only";
import type { EventHandler } from "@/server/processing/event";

/**
 * The `order_created` event (an order was created), under whatever wire name the registry maps
 * to it. RxScale documents neither the wire name nor the payload (FACTS §4.1),
 * so nothing beyond the envelope is required yet.
 */
export const handleOrderCreated: EventHandler = async () => {};
