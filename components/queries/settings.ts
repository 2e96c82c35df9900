import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { addSigningSecretRequestSchema, signingSecretDtoSchema } from "@/lib/rxscale/signing-secrets";
import { SETTINGS, type SettingsKey, type SettingsValue } from "@/lib/settings";
import {
  connectionCheckDtoSchema,
  connectionViewDtoSchema,
  subscribeResultDtoSchema,
  subscriptionsViewDtoSchema,
  testEventResultDtoSchema,
  type SaveConnectionRequest,
} from "@/lib/subscriptions";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

export function useConnection() {
  return useQuery({ queryKey: queryKeys.connection(), queryFn: () => apiFetch("/api/settings/connection", connectionViewDtoSchema) });
}

export function useSaveConnection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: SaveConnectionRequest) => apiFetch("/api/settings/connection", connectionViewDtoSchema, { method: "PUT", body: request }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["settings"] }),
  });
}

export function useCheckConnection() {
  return useMutation({ mutationFn: () => apiFetch("/api/settings/connection/check", connectionCheckDtoSchema, { method: "POST" }) });
}

export function useSubscriptions(isEnabled: boolean) {
  return useQuery({ queryKey: queryKeys.subscriptions(), queryFn: () => apiFetch("/api/settings/subscriptions", subscriptionsViewDtoSchema), enabled: isEnabled, retry: false });
}

export function useSubscribe() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (eventTypes: string[]) => apiFetch("/api/settings/subscriptions", subscribeResultDtoSchema, { method: "POST", body: { eventTypes } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["settings"] }),
  });
}

export function useUnsubscribe() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (uid: string) => apiFetch(`/api/settings/subscriptions/${encodeURIComponent(uid)}`, z.null(), { method: "DELETE" }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["settings"] }),
  });
}

export function useRecreateSubscription() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (uid: string) => apiFetch(`/api/settings/subscriptions/${encodeURIComponent(uid)}/recreate`, subscribeResultDtoSchema, { method: "POST" }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["settings"] }),
  });
}

export function useSendTestEvent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (uid: string) => apiFetch(`/api/settings/subscriptions/${encodeURIComponent(uid)}/test`, testEventResultDtoSchema, { method: "POST" }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.subscriptions() }),
  });
}

export function useSigningSecrets() {
  return useQuery({ queryKey: queryKeys.signingSecrets(), queryFn: () => apiFetch("/api/settings/signing-secrets", z.array(signingSecretDtoSchema)) });
}

export function useAddSigningSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: z.input<typeof addSigningSecretRequestSchema>) => apiFetch("/api/settings/signing-secrets", signingSecretDtoSchema, { method: "POST", body: request }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["settings"] }),
  });
}

export function useRetireSigningSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/settings/signing-secrets/${encodeURIComponent(id)}/retire`, signingSecretDtoSchema, { method: "POST" }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["settings"] }),
  });
}

export function useLocalSettings<K extends SettingsKey>(key: K) {
  return useQuery({ queryKey: queryKeys.localSettings(key), queryFn: () => apiFetch(`/api/settings/local/${key}`, SETTINGS[key] as unknown as z.ZodType<SettingsValue<K>>) });
}

export function useSaveLocalSettings<K extends SettingsKey>(key: K) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (value: SettingsValue<K>) => apiFetch(`/api/settings/local/${key}`, SETTINGS[key] as unknown as z.ZodType<SettingsValue<K>>, { method: "PUT", body: value }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.localSettings(key) }),
  });
}
