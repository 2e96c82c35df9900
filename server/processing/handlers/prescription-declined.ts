import "server-only";
import type { EventHandler } from "@/server/processing/event";
import { recordOrderEvent } from "@/server/orders/order-projector";

/**
 * The `prescription_declined` event (a doctor declined), under its configured wire name. Its status defaults to `declined` when the payload has none.
 */
export const handlePrescriptionDeclined: EventHandler = async (event) => {
  await recordOrderEvent(event);
};
