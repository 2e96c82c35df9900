import "server-only";
import { db } from "@/server/core/db";

const USER_FIELDS = { id: true, name: true, email: true, role: true, banned: true, createdAt: true } as const;

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
