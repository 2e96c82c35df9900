import "server-only";
import type { OrderFilterValuesDto } from "@/lib/filter-values";
import { processSingleton } from "@/server/core/process-slot";
import { countOrderStatuses, countOrderPharmacies } from "@/server/repositories/filter-values";

/** How long the pickers' values are reused: each read groups every order, and a picker need not be exact to the second. */
const FILTER_VALUES_TTL_MS = 15_000;

/** Statuses and pharmacies seen on orders, with counts, for the orders page's pickers (GET /api/filter-values/orders). */
export async function listOrderFilterValues(now: number = Date.now()): Promise<OrderFilterValuesDto> {
  const cache = processSingleton<{ at: number; value: OrderFilterValuesDto | null }>("rxwatchOrderFilterValues", () => ({ at: 0, value: null }));
  if (cache.value && now - cache.at < FILTER_VALUES_TTL_MS) return cache.value;
  const value = { statuses: await countOrderStatuses(), pharmacies: await countOrderPharmacies() };
  cache.at = now;
  cache.value = value;
  return value;
}
