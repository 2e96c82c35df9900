import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { forgetPatientResultDtoSchema, purgeRunDtoSchema, purgeRunListDtoSchema, type ForgetPatientRequest } from "@/lib/data-protection";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

/** While a run is going, the list is polled so its counts appear when it ends. */
const RUNNING_POLL_MS = 2_000;

export function usePurgeRuns() {
  return useQuery({
    queryKey: queryKeys.purgeRuns(),
    queryFn: () => apiFetch("/api/data-protection/purge-runs", purgeRunListDtoSchema),
    refetchInterval: (query) => (query.state.data?.runs.some((run) => run.state === "running") ? RUNNING_POLL_MS : false),
  });
}

export function useStartPurge() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch("/api/data-protection/purge-runs", purgeRunDtoSchema, { method: "POST", body: {} }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.purgeRuns() }),
  });
}

export function useForgetPatient() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: ForgetPatientRequest) => apiFetch("/api/data-protection/forget-patient", forgetPatientResultDtoSchema, { method: "POST", body: request }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.purgeRuns() }),
  });
}
