import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { auditPageDtoSchema, auditQueryToSearch, type AuditFilters } from "@/lib/audit";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

/** The audit log, newest first, one keyset page after another (admin). */
export function useAuditEntries(filters: AuditFilters) {
  const search = auditQueryToSearch(filters);
  return useInfiniteQuery({
    queryKey: queryKeys.auditList(search),
    queryFn: ({ pageParam }) => {
      const page = auditQueryToSearch({ ...filters, cursor: pageParam ?? undefined });
      return apiFetch(`/api/audit${page ? `?${page}` : ""}`, auditPageDtoSchema);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}
