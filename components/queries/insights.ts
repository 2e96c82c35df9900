import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { insightsDtoSchema, insightsQueryToSearch, type InsightsQuery } from "@/lib/insights";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

export function useInsights(query: Partial<InsightsQuery>) {
  const search = insightsQueryToSearch(query);
  return useQuery({
    queryKey: queryKeys.insightsOf(search),
    queryFn: () => apiFetch(`/api/insights${search ? `?${search}` : ""}`, insightsDtoSchema),
    placeholderData: keepPreviousData,
    // Live order notices refresh it (throttled in components/queries/live.tsx); no polling.
    staleTime: Infinity,
  });
}
