import "server-only";
import type { EventHandler } from "@/server/processing/event";
import { recordOrderEvent } from "@/server/orders/order-projector";

/**
 * The `prescription_signed` event (the prescription was signed), under its configured wire name. Its status defaults to `signed` when the payload has none.
 */
export const handlePrescriptionSigned: EventHandler = async (event) => {
  await recordOrderEvent(event);
};
