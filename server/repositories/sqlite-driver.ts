import "server-only";
import type BetterSqlite3 from "better-sqlite3";

/*
 * What the repositories that run statements on SQLite's driver share
 * (deliveries-driver.ts, inbox-driver.ts, orders-driver.ts).
 */

/** A DateTime as Prisma's better-sqlite3 adapter stores it (its default `iso8601` format), so Prisma reads it back unchanged. */
export function sqliteDateTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

/**
 * Prepares a module's statements once per connection: statements belong to the
 * connection that prepared them, and a reconnect (a new Database) prepares again.
 */
export function statementsPerConnection<Statements>(prepare: (database: BetterSqlite3.Database) => Statements): (database: BetterSqlite3.Database) => Statements {
  const byConnection = new WeakMap<BetterSqlite3.Database, Statements>();
  return (database) => {
    const existing = byConnection.get(database);
    if (existing) return existing;
    const statements = prepare(database);
    byConnection.set(database, statements);
    return statements;
  };
}
