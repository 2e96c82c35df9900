import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { attentionQueueDtoSchema, attentionStateDtoSchema, type AttentionAction } from "@/lib/attention";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

/** Orders become stuck by the clock alone, without a change notice: the queue re-reads this often as well. */
const ATTENTION_REFRESH_MS = 30_000;

export function useAttentionQueue() {
  return useQuery({
    queryKey: queryKeys.attentionQueue(),
    queryFn: () => apiFetch("/api/orders/attention", attentionQueueDtoSchema),
    refetchInterval: ATTENTION_REFRESH_MS,
  });
}

export function useChangeAttention() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ orderUid, action }: { orderUid: string; action: AttentionAction }) =>
      apiFetch(`/api/orders/${encodeURIComponent(orderUid)}/attention`, attentionStateDtoSchema, { method: "POST", body: action }),
    onSuccess: (_state, { orderUid }) => Promise.all([client.invalidateQueries({ queryKey: queryKeys.orders() }), client.invalidateQueries({ queryKey: queryKeys.order(orderUid) })]),
  });
}
