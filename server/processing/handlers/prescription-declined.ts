import "server-only";
import type { EventHandler } from "@/server/processing/event";

/**
 * The `prescription_declined` event (a prescription was declined), under whatever wire name the registry maps
 * to it. RxScale documents neither the wire name nor the payload (FACTS §4.1),
 * so nothing beyond the envelope is required yet.
 */
export const handlePrescriptionDeclined: EventHandler = async () => {};
