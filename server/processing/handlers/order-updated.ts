import "server-only";
import type { EventHandler } from "@/server/processing/event";

/**
 * The `order_updated` event (an order changed), under whatever wire name the registry maps
 * to it. RxScale documents neither the wire name nor the payload (FACTS §4.1),
 * so nothing beyond the envelope is required yet.
 */
export const handleOrderUpdated: EventHandler = async () => {};
