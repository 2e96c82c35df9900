import "server-only";
import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import { userDtoSchema, type CreateUserRequest, type UpdateUserRequest, type UserDto } from "@/lib/accounts";
import { toRole } from "@/lib/roles";
import { recordAudit, type AuditActor } from "@/server/audit/record-audit";
import { env } from "@/server/core/env";
import { AppError } from "@/server/core/errors";
import {
  countActiveAdmins,
  countUsers,
  deleteSessionsOfUser,
  findUserByEmail,
  findUserById,
  insertUserWithPassword,
  listUserRows,
  updateUserRow,
} from "@/server/repositories/users";

type UserRow = NonNullable<Awaited<ReturnType<typeof findUserById>>>;

function toDto(row: UserRow): UserDto {
  return userDtoSchema.parse({
    id: row.id,
    name: row.name,
    email: row.email,
    role: toRole(row.role),
    disabled: row.banned,
    createdAt: row.createdAt.toISOString(),
    lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
  });
}

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  const minimum = env().RXWATCH_MIN_PASSWORD_LENGTH;
  if (password.length < minimum) return `Password must be at least ${minimum} characters.`;
  if (password.length > 128) return "Password must be at most 128 characters.";
  if (password.toLowerCase().includes(email.split("@")[0]?.toLowerCase() ?? "\u0000")) return "Password must not contain the email's name.";
  if (new Set(password).size < 5) return "Password is too repetitive.";
  return null;
}

/** Who asks for an account change and from where: audited with it. */
export interface ChangeContext {
  actor: AuditActor;
  headers?: Headers;
}

/** For changes the server makes on its own (start-up setup, demo mode, tests): still audited, as the system. */
export const SERVER_CHANGE: ChangeContext = { actor: { via: "system", name: "server" } };

/**
 * Creates a user who signs in with email and password (hashed by better-auth's
 * scrypt). This is the only way a password is set (better-auth's own change,
 * reset and set-password endpoints are off), so the policy applies to every one.
 */
export async function createUser(request: CreateUserRequest, context: ChangeContext = SERVER_CHANGE): Promise<UserDto> {
  const email = request.email.toLowerCase();
  const problem = passwordProblem(request.password, email);
  if (problem) throw new AppError("invalid_request", problem);
  if (await findUserByEmail(email)) throw new AppError("conflict", "A user with this email already exists.");
  const row = await insertUserWithPassword({
    id: randomUUID(),
    accountId: randomUUID(),
    name: request.name ?? email.split("@")[0] ?? email,
    email,
    role: request.role,
    passwordHash: await hashPassword(request.password),
  });
  await recordAudit({ action: "user.create", actor: context.actor, target: { type: "user", id: row.id }, details: { email: row.email, role: row.role }, headers: context.headers });
  return toDto(row);
}

/** False on a brand-new instance, where the sign-in page explains how to create the first admin. */
export async function hasAnyUser(): Promise<boolean> {
  return (await countUsers()) > 0;
}

export async function listUsers(): Promise<UserDto[]> {
  return (await listUserRows()).map(toDto);
}

export async function findUser(emailOrId: string): Promise<UserDto | null> {
  const row = emailOrId.includes("@") ? await findUserByEmail(emailOrId.toLowerCase()) : await findUserById(emailOrId);
  return row ? toDto(row) : null;
}

/**
 * Changes a user's role or disables/enables them. Disabling signs them out
 * everywhere. Refuses to leave the instance without an active admin.
 */
export async function updateUser(id: string, change: UpdateUserRequest, context: ChangeContext = SERVER_CHANGE): Promise<UserDto> {
  const current = await findUserById(id);
  if (!current) throw new AppError("not_found", "No such user.");
  const losesAdmin = current.role === "admin" && !current.banned && ((change.role && change.role !== "admin") || change.disabled === true);
  if (losesAdmin && (await countActiveAdmins()) <= 1) {
    throw new AppError("conflict", "This is the last active admin. Make another user admin first.");
  }
  const row = await updateUserRow(id, {
    ...(change.role ? { role: change.role } : {}),
    ...(change.disabled !== undefined ? { banned: change.disabled, banReason: change.disabled ? "Disabled by an admin" : null } : {}),
  });
  const revoked = change.disabled || (change.role && change.role !== current.role) ? await deleteSessionsOfUser(id) : 0;
  const target = { type: "user", id };
  if (change.role && change.role !== current.role) {
    await recordAudit({ action: "user.update", actor: context.actor, target, details: { email: row.email, roleFrom: current.role, roleTo: change.role, sessionsRevoked: revoked }, headers: context.headers });
  }
  if (change.disabled !== undefined && change.disabled !== current.banned) {
    await recordAudit({ action: change.disabled ? "user.disable" : "user.enable", actor: context.actor, target, details: { email: row.email, sessionsRevoked: change.disabled ? revoked : 0 }, headers: context.headers });
  }
  return toDto(row);
}

/**
 * Signs a user out everywhere: every session ends at once (sessions are read
 * from the database on each request). For an admin acting on someone, or a
 * person signing themselves out on every device. Returns how many ended.
 */
export async function revokeSessions(userId: string, context: ChangeContext = SERVER_CHANGE): Promise<number> {
  const user = await findUserById(userId);
  if (!user) throw new AppError("not_found", "No such user.");
  const count = await deleteSessionsOfUser(userId);
  await recordAudit({ action: "auth.session_revoked", actor: context.actor, target: { type: "user", id: userId }, details: { email: user.email, sessions: count }, headers: context.headers });
  return count;
}

/**
 * Creates the first admin from RXWATCH_ADMIN_EMAIL/RXWATCH_ADMIN_PASSWORD when
 * the instance has no users yet. Returns what it did, for the start-up log.
 */
export async function ensureFirstAdmin(): Promise<"created" | "exists" | "not-configured"> {
  const { RXWATCH_ADMIN_EMAIL: email, RXWATCH_ADMIN_PASSWORD: password } = env();
  if ((await countUsers()) > 0) return "exists";
  if (!email || !password) return "not-configured";
  try {
    await createUser({ email, password, role: "admin", name: "Administrator" }, { actor: { via: "system", name: "first-admin setup" } });
  } catch (error) {
    // Another instance created it at the same moment.
    if (error instanceof AppError && error.code === "conflict") return "exists";
    if (error instanceof Error && /Unique constraint/i.test(error.message)) return "exists";
    throw error;
  }
  return "created";
}
