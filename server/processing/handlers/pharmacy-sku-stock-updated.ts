import "server-only";
import { z } from "zod";
import type { EventHandler } from "@/server/processing/event";
import { parseEventData } from "./parse-data";

/*
 * The payload of this event is undocumented (FACTS §4.3); the pharmacy-SKU
 * resource is the likely shape. Only its uid is required, so a guess about
 * the other fields cannot dead-letter real events.
 */
const stockDataSchema = z.looseObject({ uid: z.string().min(1) });

/** `pharmacy_sku_stock_updated`: a pharmacy SKU's stock level changed. Checks the SKU uid. */
export const handlePharmacySkuStockUpdated: EventHandler = async (event) => {
  parseEventData(event, stockDataSchema);
};
