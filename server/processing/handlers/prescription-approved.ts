import "server-only";
import type { EventHandler } from "@/server/processing/event";
import { recordOrderEvent } from "@/server/orders/order-projector";

/**
 * The `prescription_approved` event (a doctor approved the prescription), under its configured wire name. Its status defaults to `approved` when the payload has none.
 */
export const handlePrescriptionApproved: EventHandler = async (event) => {
  await recordOrderEvent(event);
};
