import { z } from "zod";
import { roleSchema, type Role } from "./roles";

/** A user as the JSON API returns it: never a password hash or session. */
export const userDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  lastSignInAt: z.iso.datetime().nullable(),
});
export type UserDto = z.infer<typeof userDtoSchema>;

export const createUserRequestSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(120).optional(),
  role: roleSchema,
  password: z.string().min(1).max(128),
});
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

export const updateUserRequestSchema = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
  .refine((value) => value.role !== undefined || value.disabled !== undefined, { message: "Give a role or disabled." });
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

/** A password reset link as shown once to the admin who made it: the token sits in the fragment, which never reaches a server log. */
export const passwordResetLinkDtoSchema = z.object({ path: z.string(), expiresAt: z.iso.datetime() });
export type PasswordResetLinkDto = z.infer<typeof passwordResetLinkDtoSchema>;

export const completePasswordResetRequestSchema = z.object({
  token: z.string().min(1).max(200),
  password: z.string().min(1).max(128),
});
export type CompletePasswordResetRequest = z.infer<typeof completePasswordResetRequestSchema>;

/** The sign-in page's message after a password was set with a reset link. */
export const PASSWORD_RESET_DONE_PARAM = "password-reset";

/** An API token as listed: the secret itself is only ever returned once, at creation. */
export const apiTokenDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: roleSchema,
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  /** Past `expiresAt` when listed: the token no longer authenticates. */
  expired: z.boolean(),
  revoked: z.boolean(),
});
export type ApiTokenDto = z.infer<typeof apiTokenDtoSchema>;

export const createApiTokenRequestSchema = z.object({
  name: z.string().trim().min(1).max(80),
  role: roleSchema,
  expiresInDays: z.number().int().positive().max(3650).nullable().optional(),
});
export type CreateApiTokenRequest = z.infer<typeof createApiTokenRequestSchema>;

/** The lifetimes offered when creating a token; 0 means it never expires. */
export const API_TOKEN_EXPIRY_CHOICES = [
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "365 days" },
  { days: 0, label: "never" },
] as const;

export const createdApiTokenDtoSchema = z.object({ token: apiTokenDtoSchema, secret: z.string() });
export type CreatedApiTokenDto = z.infer<typeof createdApiTokenDtoSchema>;

/** Who is signed in, as the shell needs it. */
export const viewerDtoSchema = z.object({
  name: z.string(),
  email: z.string().nullable(),
  role: roleSchema,
  via: z.enum(["session", "token"]),
});
export type ViewerDto = z.infer<typeof viewerDtoSchema>;

/** What ending someone's sessions did. */
export const revokedSessionsDtoSchema = z.object({ sessions: z.number().int().min(0) });
export type RevokedSessionsDto = z.infer<typeof revokedSessionsDtoSchema>;

/** Whoever is making the request: a signed-in person or an API token. */
export type Viewer =
  /** `sessionId` is the request's session; audit actors built outside a request (sign-in, sign-out) have none. */
  | { via: "session"; userId: string; sessionId?: string; name: string; email: string; role: Role }
  | { via: "token"; tokenId: string; name: string; role: Role };

/** The sign-in page's query parameter saying why the person landed there after signing out. */
export const SIGNED_OUT_PARAM = "signed-out";
export const SIGNED_OUT_REASONS = ["here", "everywhere"] as const;
export type SignedOutReason = (typeof SIGNED_OUT_REASONS)[number];
export const SIGNED_OUT_MESSAGES: Record<SignedOutReason, string> = {
  here: "You are signed out.",
  everywhere: "You are signed out on every device and browser.",
};
export const signedOutReasonSchema = z.enum(SIGNED_OUT_REASONS);
