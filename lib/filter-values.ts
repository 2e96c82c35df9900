import { z } from "zod";

/*
 * Values the list filters offer as pickers: what RxWatch has actually seen,
 * with how often (GET /api/filter-values/orders, …/deliveries). Statuses,
 * pharmacy names and event types only: never anything about a patient.
 */

export const seenValueSchema = z.object({ value: z.string(), count: z.number().int().nonnegative() });
export type SeenValue = z.infer<typeof seenValueSchema>;

export const orderFilterValuesDtoSchema = z.object({ statuses: z.array(seenValueSchema), pharmacies: z.array(seenValueSchema) });
export type OrderFilterValuesDto = z.infer<typeof orderFilterValuesDtoSchema>;

export const deliveryFilterValuesDtoSchema = z.object({ eventTypes: z.array(seenValueSchema) });
export type DeliveryFilterValuesDto = z.infer<typeof deliveryFilterValuesDtoSchema>;

/** Most values a picker lists; the rest are rare enough to type into the search. */
export const MAX_FILTER_VALUES = 200;
