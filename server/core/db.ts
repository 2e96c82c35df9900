import "server-only";
import { processSlot } from "@/server/core/process-slot";
import path from "node:path";
import { prepareDataDirectory } from "@/server/core/data-files";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient as SqlitePrismaClient } from "@/prisma/generated/sqlite/client";
import { PrismaClient as PostgresPrismaClient } from "@/prisma/generated/postgresql/client";
import { env } from "@/server/core/env";

/**
 * The Prisma client type the rest of the code base sees. Both providers'
 * clients are generated from the same models (prisma/models.prisma), so their
 * query APIs are identical; the SQLite one stands for both.
 */
export type Db = SqlitePrismaClient;

/**
 * Prisma's namespace (`Prisma.sql`, `Prisma.join`, payload types). Its helpers
 * build provider-independent SQL fragments, so repositories take it from here
 * and never name a provider's client.
 */
export { Prisma } from "@/prisma/generated/sqlite/client";
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

/** Connection counts of a PostgreSQL pool, for the metrics endpoint. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Creates a client for `url`. Most code uses the shared {@link db} instead; tests and the CLI make their own. */
export function createDb(url: string): Db {
  return createDbWithPool(url).client;
}

function createDbWithPool(url: string): { client: Db; pool: pg.Pool | null } {
  if (databaseProvider(url) === "sqlite") {
    const file = sqliteFilePath(url);
    prepareDataDirectory(file);
    const client = new SqlitePrismaClient({
      adapter: new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS }),
    });
    return { client, pool: null };
  }
  // The pool is made here rather than by the adapter so its counts can be read; $disconnect() still ends it.
  const pool = new pg.Pool({ connectionString: url });
  const client = new PostgresPrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  // Same models, same generated API: only the provider tag differs.
  return { client: client as unknown as Db, pool };
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

interface SharedDb {
  client: Db;
  pool: pg.Pool | null;
  ready: Promise<void>;
}

const dbSlot = processSlot<SharedDb>("rxwatchDb");

function shared(): SharedDb {
  if (!dbSlot.value) {
    const url = env().DATABASE_URL;
    const { client, pool } = createDbWithPool(url);
    dbSlot.value = { client, pool, ready: configureConnection(client, url) };
  }
  return dbSlot.value;
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

/** Connections of the shared client's PostgreSQL pool; null on SQLite (one in-process connection, no pool) or before first use. */
export function sharedPoolStats(): PoolStats | null {
  const pool = dbSlot.value?.pool;
  if (!pool) return null;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

/** Disconnects the shared client (ending its pool) at shutdown; later db() calls would open a new one. */
export async function closeDb(): Promise<void> {
  const shared = dbSlot.value;
  if (!shared) return;
  dbSlot.value = undefined;
  await shared.ready.catch(() => undefined);
  await shared.client.$disconnect();
}

/** The provider of the configured database. */
export function currentProvider(): DatabaseProvider {
  return databaseProvider(env().DATABASE_URL);
}
