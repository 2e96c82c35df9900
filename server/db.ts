import "server-only";
import path from "node:path";
import { mkdirSync } from "node:fs";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqlitePrismaClient } from "@/prisma/generated/sqlite/client";
import { PrismaClient as PostgresPrismaClient } from "@/prisma/generated/postgresql/client";
import { env } from "@/server/env";

/**
 * The Prisma client type the rest of the code base sees. Both providers'
 * clients are generated from the same models (prisma/models.prisma), so their
 * query APIs are identical; the SQLite one stands for both.
 */
export type Db = SqlitePrismaClient;
export type DatabaseProvider = "sqlite" | "postgresql";

/** SQLite waits this long for a competing writer before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export function databaseProvider(url: string): DatabaseProvider {
  return url.startsWith("file:") ? "sqlite" : "postgresql";
}

/** Absolute path of a `file:` URL's database, resolved against the working directory. */
export function sqliteFilePath(url: string): string {
  return path.resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""));
}

/** Creates a client for `url`. Most code uses the shared {@link db} instead; tests and the CLI make their own. */
export function createDb(url: string): Db {
  if (databaseProvider(url) === "sqlite") {
    const file = sqliteFilePath(url);
    mkdirSync(path.dirname(file), { recursive: true });
    return new SqlitePrismaClient({
      adapter: new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS }),
    });
  }
  const client = new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  // Same models, same generated API: only the provider tag differs.
  return client as unknown as Db;
}

/**
 * Per-connection SQLite settings. WAL is persisted in the file by the migrator;
 * `synchronous=FULL` is per connection and makes a commit durable before it
 * returns, which ingest relies on before acknowledging a webhook.
 */
export async function configureConnection(client: Db, url: string): Promise<void> {
  if (databaseProvider(url) !== "sqlite") return;
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$executeRawUnsafe("PRAGMA synchronous = FULL");
  await client.$executeRawUnsafe("PRAGMA foreign_keys = ON");
}

const globalForDb = globalThis as unknown as { rxwatchDb?: { client: Db; ready: Promise<void> } };

function shared(): { client: Db; ready: Promise<void> } {
  if (!globalForDb.rxwatchDb) {
    const url = env().DATABASE_URL;
    const client = createDb(url);
    globalForDb.rxwatchDb = { client, ready: configureConnection(client, url) };
  }
  return globalForDb.rxwatchDb;
}

/**
 * The process's Prisma client, configured before first use. Only
 * server/repositories/* call this; everything else goes through them.
 */
export async function db(): Promise<Db> {
  const { client, ready } = shared();
  await ready;
  return client;
}

/** The provider of the configured database. */
export function currentProvider(): DatabaseProvider {
  return databaseProvider(env().DATABASE_URL);
}
