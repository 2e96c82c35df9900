import { useQuery } from "@tanstack/react-query";
import { deliveryFilterValuesDtoSchema, orderFilterValuesDtoSchema } from "@/lib/filter-values";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

/**
 * Counts for pickers need not follow every notice: the server reuses them for
 * 15 s anyway. They are re-read every 15 s while shown, because a notice that
 * arrives while the server still holds older counts would otherwise leave a
 * newly seen value out of the picker until the next change.
 */
const FILTER_VALUES_STALE_MS = 15_000;

export function useOrderFilterValues() {
  return useQuery({ queryKey: queryKeys.orderFilterValues(), queryFn: () => apiFetch("/api/filter-values/orders", orderFilterValuesDtoSchema), staleTime: FILTER_VALUES_STALE_MS, refetchInterval: FILTER_VALUES_STALE_MS });
}

export function useDeliveryFilterValues() {
  return useQuery({ queryKey: queryKeys.deliveryFilterValues(), queryFn: () => apiFetch("/api/filter-values/deliveries", deliveryFilterValuesDtoSchema), staleTime: FILTER_VALUES_STALE_MS, refetchInterval: FILTER_VALUES_STALE_MS });
}
