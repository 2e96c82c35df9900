import { useCallback } from "react";
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { deliveriesPageDtoSchema, deliveriesQueryToSearch, deliveryDetailDtoSchema, revealResultDtoSchema, type DeliveriesPageDto, type DeliveryFilters } from "@/lib/deliveries";
import { reprocessResultDtoSchema } from "@/lib/processing";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

/** How many rows that arrived while paused are counted; beyond it the view says "100+ new". */
export const NEW_WHILE_PAUSED_LIMIT = 100;
/**
 * A live refetch reloads every loaded page from the top, one request each, so
 * the pages stay contiguous; past this many pages (someone browsing far back)
 * the list holds still instead, as if paused.
 */
export const LIVE_MAX_PAGES = 5;

/**
 * The deliveries list, newest first, one keyset page after another. Live notices
 * refetch it; while `isPaused`, or with more than LIVE_MAX_PAGES loaded, it
 * ignores them and keeps showing what it has.
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
    enabled: (query) => query.state.data === undefined || (!isPaused && query.state.data.pages.length <= LIVE_MAX_PAGES),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
}

/** Drops all but the newest page of the list and reloads it: back to the top, tailing again. */
export function useJumpToNewest(filters: DeliveryFilters) {
  const client = useQueryClient();
  const queryKey = queryKeys.deliveriesList(deliveriesQueryToSearch(filters));
  return () => {
    client.setQueryData<InfiniteData<DeliveriesPageDto, string | null>>(queryKey, (data) => (data ? { pages: data.pages.slice(0, 1), pageParams: data.pageParams.slice(0, 1) } : data));
    void client.invalidateQueries({ queryKey });
  };
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

/** Reveals one delivery's personal data to the signed-in person for a stated reason (support); the detail then refetches unmasked. */
export function useRevealDelivery(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) => apiFetch(`/api/deliveries/${encodeURIComponent(id)}/reveal`, revealResultDtoSchema, { method: "POST", body: { reason } }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.delivery(id) }),
  });
}

/**
 * Loads a delivery's detail again: how a revealed body is masked again once
 * its grant ends. The caller hides the cached (unmasked) body meanwhile; the
 * cached data stays so the view does not unmount and start over.
 */
export function useRefreshDelivery(id: string) {
  const client = useQueryClient();
  return useCallback(() => client.refetchQueries({ queryKey: queryKeys.delivery(id) }), [client, id]);
}
