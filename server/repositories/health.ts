import "server-only";
import { db } from "@/server/core/db";

/** Name of the newest finished migration, or null when none has run. Throws when the database is unreachable. */
export async function latestAppliedMigration(): Promise<string | null> {
  const rows = await (await db()).$queryRawUnsafe<{ migration_name: string }[]>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name DESC LIMIT 1`,
  );
  return rows[0]?.migration_name ?? null;
}
