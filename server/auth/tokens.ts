import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { apiTokenDtoSchema, type ApiTokenDto, type CreateApiTokenRequest, type CreatedApiTokenDto } from "@/lib/accounts";
import { toRole, type Role } from "@/lib/roles";
import { recordAudit } from "@/server/audit/record-audit";
import { SERVER_CHANGE, type ChangeContext } from "@/server/auth/users";
import { AppError } from "@/server/core/errors";
import { findApiTokenByHash, insertApiToken, listApiTokenRows, markApiTokenUsed, revokeApiTokenRow } from "@/server/repositories/api-tokens";

/** Every token starts with this, so leaked tokens are easy to recognise and scan for. */
export const API_TOKEN_PREFIX = "rxw_";
/** How stale `lastUsedAt` may get before a use writes it again; saves a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Tokens are 32 random bytes, so a plain SHA-256 is enough to store them: there
 * is nothing to brute-force, unlike a password.
 */
export function hashApiToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

type TokenRow = Awaited<ReturnType<typeof listApiTokenRows>>[number];

function toDto(row: Omit<TokenRow, "createdBy"> & { createdBy?: { email: string } | null }): ApiTokenDto {
  return apiTokenDtoSchema.parse({
    id: row.id,
    name: row.name,
    prefix: row.tokenPrefix,
    role: toRole(row.role),
    createdBy: row.createdBy?.email ?? null,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    expired: row.expiresAt !== null && row.expiresAt <= new Date(),
    revoked: row.revokedAt !== null,
  });
}

/** Creates a token and returns its secret — the only time the secret is available. */
/** `null` context: made by the server itself (setup, tests), audited as the system. */
export async function createApiToken(request: CreateApiTokenRequest, changeContext: ChangeContext | null): Promise<CreatedApiTokenDto> {
  const context = changeContext ?? SERVER_CHANGE;
  const createdById = context.actor.via === "session" ? context.actor.userId : null;
  const secret = `${API_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const expiresAt = request.expiresInDays ? new Date(Date.now() + request.expiresInDays * 86_400_000) : null;
  const row = await insertApiToken({
    id: randomUUID(),
    name: request.name,
    tokenHash: hashApiToken(secret),
    tokenPrefix: secret.slice(0, API_TOKEN_PREFIX.length + 6),
    role: request.role,
    createdById,
    expiresAt,
  });
  await recordAudit({ action: "token.create", actor: context.actor, target: { type: "api_token", id: row.id }, details: { name: row.name, role: row.role, expiresAt: row.expiresAt?.toISOString() ?? null }, headers: context.headers });
  return { token: toDto(row), secret };
}

export async function listApiTokens(): Promise<ApiTokenDto[]> {
  return (await listApiTokenRows()).map(toDto);
}

export async function revokeApiToken(id: string, context: ChangeContext = SERVER_CHANGE): Promise<void> {
  if (!(await revokeApiTokenRow(id, new Date()))) throw new AppError("not_found", "No active token with that id.");
  await recordAudit({ action: "token.revoke", actor: context.actor, target: { type: "api_token", id }, headers: context.headers });
}

/** The role of a valid bearer token, or null when the token is unknown, revoked or expired. */
export async function authenticateApiToken(secret: string): Promise<{ id: string; name: string; role: Role } | null> {
  if (!secret.startsWith(API_TOKEN_PREFIX)) return null;
  const row = await findApiTokenByHash(hashApiToken(secret));
  const now = new Date();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) await markApiTokenUsed(row.id, now);
  return { id: row.id, name: row.name, role: toRole(row.role) };
}
