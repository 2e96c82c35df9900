import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import {
  apiTokenDtoSchema,
  createdApiTokenDtoSchema,
  passwordResetLinkDtoSchema,
  revokedSessionsDtoSchema,
  userDtoSchema,
  type CreateApiTokenRequest,
  type CompletePasswordResetRequest,
  type CreateUserRequest,
  type UpdateUserRequest,
} from "@/lib/accounts";
import { apiFetch } from "./api-fetch";
import { queryKeys } from "./keys";

export function useUsers() {
  return useQuery({ queryKey: queryKeys.users(), queryFn: () => apiFetch("/api/users", z.array(userDtoSchema)) });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: CreateUserRequest) => apiFetch("/api/users", userDtoSchema, { method: "POST", body: request }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users() }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: UpdateUserRequest }) =>
      apiFetch(`/api/users/${encodeURIComponent(id)}`, userDtoSchema, { method: "PATCH", body: change }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users() }),
  });
}

/** Ends every session of a user (admin). */
export function useRevokeUserSessions() {
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/users/${encodeURIComponent(id)}/sessions`, revokedSessionsDtoSchema, { method: "DELETE" }),
  });
}

/** A one-time link with which the user sets a new password (shown once, to the admin). */
export function useCreatePasswordResetLink() {
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/users/${encodeURIComponent(id)}/password-reset`, passwordResetLinkDtoSchema, { method: "POST", body: {} }),
  });
}

/** Sets a new password with a reset link's token; needs no session. */
export function useCompletePasswordReset() {
  return useMutation({
    mutationFn: (request: CompletePasswordResetRequest) => apiFetch("/api/password-reset", z.null(), { method: "POST", body: request }),
  });
}

/** Ends every session of the signed-in person, this one included. */
export function useSignOutEverywhere() {
  return useMutation({
    mutationFn: () => apiFetch("/api/me/sessions", revokedSessionsDtoSchema, { method: "DELETE" }),
  });
}

export function useApiTokens() {
  return useQuery({ queryKey: queryKeys.apiTokens(), queryFn: () => apiFetch("/api/tokens", z.array(apiTokenDtoSchema)) });
}

export function useCreateApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: CreateApiTokenRequest) => apiFetch("/api/tokens", createdApiTokenDtoSchema, { method: "POST", body: request }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens() }),
  });
}

export function useRevokeApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch(`/api/tokens/${encodeURIComponent(id)}`, z.null(), { method: "DELETE" }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens() }),
  });
}
