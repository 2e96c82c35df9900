import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { orderCheckDtoSchema, reconciliationRunDetailDtoSchema, reconciliationRunSchema, reconciliationRunsDtoSchema, type ReconciliationRunsDto } from "@/lib/reconciliation";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

/*
 * Runs are not part of the live stream: the view polls quickly while one is
 * running (its counts move page by page) and slowly otherwise, so a run the
 * timer starts shows up without a reload.
 */
const RUNNING_REFRESH_MS = 1_000;
const IDLE_REFRESH_MS = 15_000;

function isRunning(data: ReconciliationRunsDto | undefined): boolean {
  return data?.runs.some((run) => run.state === "running") ?? false;
}

export function useReconciliationRuns() {
  return useQuery({
    queryKey: queryKeys.reconciliationRuns(),
    queryFn: () => apiFetch("/api/reconciliation/runs", reconciliationRunsDtoSchema),
    refetchInterval: (query) => (isRunning(query.state.data) ? RUNNING_REFRESH_MS : IDLE_REFRESH_MS),
  });
}

export function useReconciliationRun(id: string | null, after: number) {
  return useQuery({
    queryKey: queryKeys.reconciliationRun(id ?? "", after),
    queryFn: () => apiFetch(`/api/reconciliation/runs/${encodeURIComponent(id ?? "")}?after=${after}`, reconciliationRunDetailDtoSchema),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data?.run.state === "running" ? RUNNING_REFRESH_MS : false),
  });
}

export function useStartReconciliation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch("/api/reconciliation/runs", reconciliationRunSchema, { method: "POST", body: {} }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.reconciliation() }),
  });
}

export function useCancelReconciliation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/reconciliation/runs/${encodeURIComponent(id)}/cancel`, reconciliationRunSchema, { method: "POST" }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.reconciliation() }),
  });
}

export function useFillFromRxScale() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/reconciliation/runs/${encodeURIComponent(id)}/fill`, reconciliationRunSchema, { method: "POST" }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.reconciliation() }),
  });
}

export function useCheckOrder(orderUid: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch(`/api/reconciliation/orders/${encodeURIComponent(orderUid)}`, orderCheckDtoSchema, { method: "POST" }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.reconciliation() }),
  });
}
