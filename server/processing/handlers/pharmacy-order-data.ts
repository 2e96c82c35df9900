import "server-only";
import { z } from "zod";

/**
 * What the pharmacy-order handlers rely on today (FACTS §4.2: documented for
 * `pharmacy_order_created`, the same shape inferred for `_updated`). A numeric
 * uid is read as its decimal string, as ingest does for the dedup key. Other
 * fields pass through untouched until the order projection needs them.
 */
export const pharmacyOrderDataSchema = z.looseObject({
  uid: z.preprocess((value) => (typeof value === "number" && Number.isFinite(value) ? String(value) : value), z.string().min(1)),
  status: z.string().min(1),
});
