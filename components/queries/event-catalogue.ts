import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { eventCatalogueDtoSchema, markExpectedDtoSchema } from "@/lib/drift";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

/** The catalogue's counts are written by the drift detector about once a minute: re-reading more often shows nothing new. */
const CATALOGUE_REFRESH_MS = 60_000;

export function useEventCatalogue() {
  return useQuery({ queryKey: queryKeys.eventCatalogue(), queryFn: () => apiFetch("/api/event-catalogue", eventCatalogueDtoSchema), refetchInterval: CATALOGUE_REFRESH_MS });
}

export function useMarkChangeExpected() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: string) => apiFetch(`/api/event-catalogue/changes/${encodeURIComponent(key)}/expected`, markExpectedDtoSchema, { method: "POST" }),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: queryKeys.failures() }), client.invalidateQueries({ queryKey: queryKeys.eventCatalogue() })]),
  });
}
