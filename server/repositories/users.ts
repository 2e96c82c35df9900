import "server-only";
import { db } from "@/server/core/db";

const USER_FIELDS = { id: true, name: true, email: true, role: true, banned: true, createdAt: true, lastSignInAt: true } as const;

/** better-auth's one-time-value table holds password reset links under this identifier prefix. */
const PASSWORD_RESET_IDENTIFIER = "password-reset:";

export async function countUsers(): Promise<number> {
  return (await db()).user.count();
}

export async function listUserRows() {
  return (await db()).user.findMany({ select: USER_FIELDS, orderBy: { email: "asc" } });
}

export async function findUserByEmail(email: string) {
  return (await db()).user.findUnique({ where: { email }, select: USER_FIELDS });
}

export async function findUserById(id: string) {
  return (await db()).user.findUnique({ where: { id }, select: USER_FIELDS });
}

/** Creates a user with an email/password credential in one transaction. */
export async function insertUserWithPassword(input: { id: string; accountId: string; name: string; email: string; role: string; passwordHash: string }) {
  const client = await db();
  return client.$transaction(async (tx) => {
    const user = await tx.user.create({
      data: { id: input.id, name: input.name, email: input.email, role: input.role, emailVerified: true },
      select: USER_FIELDS,
    });
    await tx.account.create({
      data: { id: input.accountId, accountId: input.id, providerId: "credential", userId: input.id, password: input.passwordHash },
    });
    return user;
  });
}

export async function updateUserRow(id: string, data: { role?: string; banned?: boolean; banReason?: string | null }) {
  return (await db()).user.update({ where: { id }, data, select: USER_FIELDS });
}

/** Signs a user out everywhere. */
export async function deleteSessionsOfUser(userId: string): Promise<number> {
  const { count } = await (await db()).session.deleteMany({ where: { userId } });
  return count;
}

export async function countActiveAdmins(): Promise<number> {
  return (await db()).user.count({ where: { role: "admin", banned: false } });
}

export async function markUserSignedIn(id: string, at: Date): Promise<void> {
  await (await db()).user.updateMany({ where: { id }, data: { lastSignInAt: at } });
}

/** Stores a reset link's token hash; an earlier link of the same user stops working. */
export async function replacePasswordResetRow(input: { id: string; userId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
  const client = await db();
  const identifier = `${PASSWORD_RESET_IDENTIFIER}${input.userId}`;
  await client.$transaction([
    client.verification.deleteMany({ where: { identifier } }),
    client.verification.create({ data: { id: input.id, identifier, value: input.tokenHash, expiresAt: input.expiresAt } }),
  ]);
}

export async function findPasswordResetByHash(tokenHash: string): Promise<{ userId: string; expiresAt: Date } | null> {
  const row = await (await db()).verification.findFirst({ where: { value: tokenHash, identifier: { startsWith: PASSWORD_RESET_IDENTIFIER } } });
  return row ? { userId: row.identifier.slice(PASSWORD_RESET_IDENTIFIER.length), expiresAt: row.expiresAt } : null;
}

/**
 * Sets a new password, uses up the reset link and ends every session, in one
 * transaction: false when the link was used up by a concurrent request first.
 */
export async function replacePasswordWithResetLink(userId: string, tokenHash: string, passwordHash: string): Promise<{ isReplaced: boolean; sessions: number }> {
  const client = await db();
  return client.$transaction(async (tx) => {
    const { count: used } = await tx.verification.deleteMany({ where: { identifier: `${PASSWORD_RESET_IDENTIFIER}${userId}`, value: tokenHash } });
    if (used === 0) return { isReplaced: false, sessions: 0 };
    await tx.account.updateMany({ where: { userId, providerId: "credential" }, data: { password: passwordHash } });
    const { count: sessions } = await tx.session.deleteMany({ where: { userId } });
    return { isReplaced: true, sessions };
  });
}
