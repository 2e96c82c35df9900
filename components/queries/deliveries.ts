import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { deliveriesPageDtoSchema, deliveriesQueryToSearch, deliveryDetailDtoSchema, type DeliveryFilters } from "@/lib/deliveries";
import { reprocessResultDtoSchema } from "@/lib/processing";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

/** How many rows that arrived while paused are counted; beyond it the view says "100+ new". */
export const NEW_WHILE_PAUSED_LIMIT = 100;

/**
 * The event log, newest first, one keyset page after another. Live notices
 * refetch it (every loaded page, from the top, so the pages stay contiguous);
 * while `isPaused` it ignores them and keeps showing what it has.
 */
export function useDeliveries(filters: DeliveryFilters, isPaused: boolean) {
  const search = deliveriesQueryToSearch(filters);
  return useInfiniteQuery({
    queryKey: queryKeys.deliveriesList(search),
    queryFn: ({ pageParam }) => {
      const page = deliveriesQueryToSearch({ ...filters, cursor: pageParam ?? undefined });
      return apiFetch(`/api/deliveries${page ? `?${page}` : ""}`, deliveriesPageDtoSchema);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // A disabled query keeps its data and is not refetched by invalidation: that is the pause. A new filter still loads once.
    enabled: (query) => !isPaused || query.state.data === undefined,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
}

/** How many deliveries matching `filters` arrived after `newestCursor` (up to NEW_WHILE_PAUSED_LIMIT). */
export function useNewDeliveriesCount(filters: DeliveryFilters, newestCursor: string | null, isEnabled: boolean) {
  const search = deliveriesQueryToSearch(filters);
  return useQuery({
    queryKey: queryKeys.deliveriesNewer(search, newestCursor ?? ""),
    queryFn: () => {
      const newer = deliveriesQueryToSearch({ ...filters, newer: newestCursor ?? undefined, limit: NEW_WHILE_PAUSED_LIMIT });
      return apiFetch(`/api/deliveries?${newer}`, deliveriesPageDtoSchema);
    },
    select: (page) => page.deliveries.length,
    enabled: isEnabled && newestCursor !== null,
    staleTime: Infinity,
  });
}

export function useDeliveryDetail(id: string) {
  return useQuery({
    queryKey: queryKeys.delivery(id),
    queryFn: () => apiFetch(`/api/deliveries/${encodeURIComponent(id)}`, deliveryDetailDtoSchema),
    staleTime: Infinity,
  });
}

/** Queues an event to be processed again (support). */
export function useReprocessEvent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (eventId: string) => apiFetch(`/api/events/${encodeURIComponent(eventId)}/reprocess`, reprocessResultDtoSchema, { method: "POST" }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.deliveries() }),
  });
}
