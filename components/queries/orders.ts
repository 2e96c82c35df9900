import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ordersPageDtoSchema, type OrdersQuery, ordersQueryToSearch } from "@/lib/orders";
import { orderTraceDtoSchema } from "@/lib/order-trace";
import { ApiError, apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

export function useOrders(query: Partial<OrdersQuery>) {
  const search = ordersQueryToSearch(query);
  return useQuery({
    queryKey: queryKeys.ordersList(search),
    queryFn: () => apiFetch(`/api/orders${search ? `?${search}` : ""}`, ordersPageDtoSchema),
    placeholderData: keepPreviousData,
    // Live notices keep this fresh; no polling.
    staleTime: Infinity,
  });
}

export function useOrderTrace(orderUid: string) {
  return useQuery({
    queryKey: queryKeys.order(orderUid),
    queryFn: () => apiFetch(`/api/orders/${encodeURIComponent(orderUid)}`, orderTraceDtoSchema),
    staleTime: Infinity,
    // A trace that never loaded because the server failed has nothing to show: the segment's error view
    // takes over with the request id. "Not found" and refusals stay inline; a failed refresh keeps the old trace.
    throwOnError: (error, query) => query.state.data === undefined && !(error instanceof ApiError && error.status < 500),
  });
}
