import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { alertsViewDtoSchema, testAlertResultDtoSchema, type SaveAlertsRequest } from "@/lib/alerts";
import { failuresDtoSchema, deliveryHealthDtoSchema, replayJobDtoSchema, replayJobListDtoSchema, type HealthRangeChoice, type IncidentAction, type ReplayPlanRequest } from "@/lib/failures";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

/*
 * Failures are partly driven by the clock (silence, quiet periods, stuck
 * deadlines) rather than by deliveries, and each read is a scan, so the page
 * re-reads every few seconds instead of on every live notice (a burst of
 * webhooks would otherwise cost one scan per notice per open page).
 */
const FAILURES_REFRESH_MS = 10_000;
const RUNNING_JOB_REFRESH_MS = 1_000;

export function useFailures() {
  return useQuery({
    queryKey: queryKeys.failureGroups(),
    queryFn: () => apiFetch("/api/failures", failuresDtoSchema),
    refetchInterval: FAILURES_REFRESH_MS,
    staleTime: 0,
  });
}

export function useHealth(range: HealthRangeChoice) {
  return useQuery({
    queryKey: queryKeys.health(range),
    queryFn: () => apiFetch(`/api/failures/health?range=${range}`, deliveryHealthDtoSchema),
    placeholderData: keepPreviousData,
    refetchInterval: FAILURES_REFRESH_MS * 3,
  });
}

export function useChangeIncident() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, action }: { key: string; action: IncidentAction }) => apiFetch(`/api/failures/${encodeURIComponent(key)}`, failuresDtoSchema, { method: "POST", body: { action } }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.failures() }),
  });
}

export function useReplayJobs(isEnabled: boolean) {
  return useQuery({ queryKey: queryKeys.replayJobs(), queryFn: () => apiFetch("/api/replay", replayJobListDtoSchema), enabled: isEnabled });
}

export function useReplayJob(id: string | null) {
  return useQuery({
    queryKey: queryKeys.replayJob(id ?? ""),
    queryFn: () => apiFetch(`/api/replay/${encodeURIComponent(id ?? "")}`, replayJobDtoSchema),
    enabled: id !== null,
    // A job's progress is not part of the live stream: poll while it runs and while the worker still has its events queued.
    refetchInterval: (query) => {
      const job = query.state.data;
      const isWorkerBusy = job?.progress.some((entry) => entry.value === "pending" || entry.value === "processing") ?? false;
      return job?.state === "running" || (job?.state === "completed" && isWorkerBusy) ? RUNNING_JOB_REFRESH_MS : false;
    },
  });
}

export function usePlanReplay() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: ReplayPlanRequest) => apiFetch("/api/replay", replayJobDtoSchema, { method: "POST", body: request }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.replayJobs() }),
  });
}

export function useStartReplay() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/replay/${encodeURIComponent(id)}/start`, replayJobDtoSchema, { method: "POST" }),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: queryKeys.replayJobs() }), client.invalidateQueries({ queryKey: queryKeys.failures() })]),
  });
}

export function useCancelReplay() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/replay/${encodeURIComponent(id)}/cancel`, replayJobDtoSchema, { method: "POST" }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.replayJobs() }),
  });
}

export function useAlerts(isEnabled: boolean) {
  return useQuery({ queryKey: queryKeys.alerts(), queryFn: () => apiFetch("/api/alerts", alertsViewDtoSchema), enabled: isEnabled });
}

export function useSaveAlerts() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: SaveAlertsRequest) => apiFetch("/api/alerts", alertsViewDtoSchema, { method: "PUT", body: request }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.alerts() }),
  });
}

export function useTestAlert() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch("/api/alerts/test", testAlertResultDtoSchema, { method: "POST" }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.alerts() }),
  });
}
