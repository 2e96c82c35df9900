import "server-only";
import { db } from "@/server/core/db";

/** What is remembered about an email's failed sign-ins (the `sign_in_throttle` row). */
export interface ThrottleState {
  failures: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  lockedUntil: Date | null;
}

export async function findThrottle(key: string): Promise<ThrottleState | null> {
  return (await db()).signInThrottle.findUnique({ where: { key }, select: { failures: true, firstFailedAt: true, lastFailedAt: true, lockedUntil: true } });
}

/**
 * Replaces the row only if it still holds `expected` (null: no row yet), so
 * two instances counting failures for the same email cannot lose one.
 * Returns false when another writer got there first; the caller re-reads.
 */
export async function replaceThrottle(key: string, expected: ThrottleState | null, next: ThrottleState): Promise<boolean> {
  const client = await db();
  if (!expected) {
    try {
      await client.signInThrottle.create({ data: { key, ...next } });
      return true;
    } catch (error) {
      if (typeof error === "object" && error !== null && "code" in error && error.code === "P2002") return false;
      throw error;
    }
  }
  const { count } = await client.signInThrottle.updateMany({
    where: { key, failures: expected.failures, lastFailedAt: expected.lastFailedAt },
    data: next,
  });
  return count === 1;
}

export async function deleteThrottle(key: string): Promise<void> {
  await (await db()).signInThrottle.deleteMany({ where: { key } });
}
