import "server-only";
import type { DeliveryFilterValuesDto } from "@/lib/filter-values";
import { processSingleton } from "@/server/core/process-slot";
import { countEventTypes } from "@/server/repositories/filter-values";

/** How long the picker's values are reused: each read groups every stored event. */
const FILTER_VALUES_TTL_MS = 15_000;

/** Event types RxWatch has stored, with counts, for the deliveries page's picker (GET /api/filter-values/deliveries). */
export async function listDeliveryFilterValues(now: number = Date.now()): Promise<DeliveryFilterValuesDto> {
  const cache = processSingleton<{ at: number; value: DeliveryFilterValuesDto | null }>("rxwatchDeliveryFilterValues", () => ({ at: 0, value: null }));
  if (cache.value && now - cache.at < FILTER_VALUES_TTL_MS) return cache.value;
  const value = { eventTypes: await countEventTypes() };
  cache.at = now;
  cache.value = value;
  return value;
}
