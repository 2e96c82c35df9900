import "server-only";
import { processSlot } from "@/server/core/process-slot";
import path from "node:path";
import { prepareDataDirectory } from "@/server/core/data-files";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type BetterSqlite3 from "better-sqlite3";
import { PrismaClient as SqlitePrismaClient } from "@/prisma/generated/sqlite/client";
import { PrismaClient as PostgresPrismaClient } from "@/prisma/generated/postgresql/client";
import { env } from "@/server/core/env";
import type { WriteGate } from "@/server/core/write-gate";

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

type SqliteAdapter = Awaited<ReturnType<PrismaBetterSqlite3["connect"]>>;

/** A FIFO lock: `acquire` resolves with the function that lets the next holder in. */
class ConnectionLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const turn = this.tail;
    this.tail = turn.then(() => held);
    return turn.then(() => release);
  }
}

/**
 * The better-sqlite3 connection Prisma's adapter opened, shared with code that
 * writes through the driver directly (server/repositories/deliveries-driver.ts).
 *
 * Shared rather than a second connection to the same file: better-sqlite3 is
 * synchronous, so a second connection waiting on SQLITE_BUSY while a Prisma
 * transaction holds the write lock across an `await` would block the event
 * loop that transaction needs to finish — a stall until busy_timeout. On one
 * connection the pragmas (synchronous=FULL, foreign_keys) apply to both, and
 * `lock` keeps direct writes out of Prisma's interactive transactions: every
 * Prisma transaction holds it from BEGIN to COMMIT/ROLLBACK, and a direct
 * write runs start to finish within one tick while holding it.
 */
interface SharedSqliteConnection {
  database: BetterSqlite3.Database | null;
  lock: ConnectionLock;
}

interface SqliteWriteGating {
  gate: WriteGate;
  /** Whether writes outside a transaction take the gate too (see shareSqliteWriteGate). */
  isGatingAutocommitWrites: boolean;
}

const sqliteWriteGatingSlot = processSlot<SqliteWriteGating>("rxwatchSqliteWriteGating");

/**
 * Makes this thread's SQLite writes take `gate` (server/core/write-gate.ts),
 * shared with the other thread that writes to the same file; null when this
 * thread's connection is the only one again.
 *
 * Transactions and the ingest batch always take it. Single writes outside a
 * transaction take it where `isGatingAutocommitWrites` (the processing
 * thread, whose writes must never land inside another thread's transaction);
 * on the main thread they stay ungated, so a handler that writes outside
 * its transaction cannot wait on its own turn. Such a write may find the
 * processing thread writing and then waits inside SQLite, for as long as
 * that one transaction takes.
 */
export function shareSqliteWriteGate(gating: SqliteWriteGating | null): void {
  sqliteWriteGatingSlot.value = gating ?? undefined;
}

/** Takes the write gate if this thread shares the file with another; resolves with the function that gives it back. */
async function enterSqliteWriteGate(): Promise<() => void> {
  const gating = sqliteWriteGatingSlot.value;
  return gating ? gating.gate.acquire() : () => undefined;
}

/** Whether a statement Prisma sends outside a transaction may write (anything but a read is treated as a write). */
function isWriteStatement(sql: string): boolean {
  return !/^\s*(SELECT|PRAGMA|EXPLAIN)\b/i.test(sql);
}

/** Prepared statements kept per connection, least recently used dropped first (each IN-list length is a statement of its own; each costs memory). */
export const SQLITE_STATEMENT_CACHE_SIZE = 200;

/**
 * What Prisma's adapter gets from `prepare(sql).bind(args)`: the cached
 * statement with these arguments, which runs it without binding it for good
 * (a bound better-sqlite3 statement cannot be bound again, so it could not be
 * reused).
 */
function withArguments(statement: BetterSqlite3.Statement, args: unknown[]) {
  return {
    get reader() {
      return statement.reader;
    },
    run: () => statement.run(args),
    columns: () => statement.columns(),
    raw: () => ({ all: () => statement.raw(true).all(args) }),
  };
}

/**
 * Two changes to how Prisma's adapter prepares statements on this connection.
 *
 * - Prisma's adapter prepares every query again, each time it runs: in the
 *   processing thread that was a quarter of its busy time. Statements are
 *   prepared once per SQL text here and reused (docs/ingest.md#the-processing-thread
 *   has what that saved). The adapter binds each one to its arguments
 *   (`prepare(sql).bind(args)`), and only that use is redirected: code that
 *   runs statements with arguments directly is unaffected.
 * - Every transaction begins IMMEDIATE, which takes the write lock at once:
 *   with a second connection on the file (the processing thread), a deferred
 *   transaction that reads and then writes would fail with SQLITE_BUSY if the
 *   other connection committed in between. The adapter issues a plain BEGIN
 *   and has no option for it.
 */
function reuseStatements(database: BetterSqlite3.Database): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, BetterSqlite3.Statement>();
  const reusable = (source: string): BetterSqlite3.Statement => {
    const sql = source === "BEGIN" ? "BEGIN IMMEDIATE" : source;
    const cached = cache.get(sql);
    if (cached) {
      // Most recently used last: Map keeps insertion order.
      cache.delete(sql);
      cache.set(sql, cached);
      return cached;
    }
    const statement = prepare(sql);
    Object.defineProperty(statement, "bind", { value: (...args: unknown[]) => withArguments(statement, args.length === 1 && Array.isArray(args[0]) ? args[0] : args) });
    cache.set(sql, statement);
    if (cache.size > SQLITE_STATEMENT_CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    return statement;
  };
  // Same signature; what comes back is a statement of the same text.
  database.prepare = reusable as typeof database.prepare;
}

function isBetterSqlite3Database(value: unknown): value is BetterSqlite3.Database {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "prepare") === "function" && typeof Reflect.get(value, "inTransaction") === "boolean";
}

/**
 * Takes this connection's lock (no Prisma transaction and no direct write in
 * between), then this thread's turn at the write gate; resolves with the
 * function that gives both back.
 */
async function takeConnectionTurn(sqlite: SharedSqliteConnection): Promise<() => void> {
  const unlock = await sqlite.lock.acquire();
  const leave = await enterSqliteWriteGate();
  return () => {
    leave();
    unlock();
  };
}

/** Wraps the adapter factory so each connection it opens is recorded in `shared` and its transactions take `shared.lock`. */
function sharingSqliteAdapter(factory: PrismaBetterSqlite3, shared: SharedSqliteConnection): PrismaBetterSqlite3 {
  const connect = factory.connect.bind(factory);
  factory.connect = async (): Promise<SqliteAdapter> => {
    const adapter = await connect();
    // The adapter keeps its better-sqlite3 Database as `client` (not part of its typed API; checked here so an upgrade that changes it fails loudly).
    const database: unknown = Reflect.get(adapter, "client");
    if (!isBetterSqlite3Database(database)) throw new Error("the SQLite adapter no longer exposes its better-sqlite3 connection");
    shared.database = database;
    reuseStatements(database);
    for (const method of ["queryRaw", "executeRaw"] as const) {
      const run = adapter[method].bind(adapter) as (query: Parameters<SqliteAdapter[typeof method]>[0]) => Promise<never>;
      adapter[method] = async (query: Parameters<SqliteAdapter[typeof method]>[0]) => {
        if (!sqliteWriteGatingSlot.value?.isGatingAutocommitWrites || !isWriteStatement(query.sql)) return run(query);
        const leave = await enterSqliteWriteGate();
        try {
          return await run(query);
        } finally {
          leave();
        }
      };
    }
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const release = await takeConnectionTurn(shared);
      try {
        const transaction = await startTransaction(isolationLevel);
        const commit = transaction.commit.bind(transaction);
        const rollback = transaction.rollback.bind(transaction);
        transaction.commit = () => commit().finally(release);
        transaction.rollback = () => rollback().finally(release);
        return transaction;
      } catch (error) {
        release();
        throw error;
      }
    };
    return adapter;
  };
  return factory;
}

interface CreatedDb {
  client: Db;
  pool: pg.Pool | null;
  sqlite: SharedSqliteConnection | null;
}

function createDbWithPool(url: string): CreatedDb {
  if (databaseProvider(url) === "sqlite") {
    const file = sqliteFilePath(url);
    prepareDataDirectory(file);
    const sqlite: SharedSqliteConnection = { database: null, lock: new ConnectionLock() };
    const client = new SqlitePrismaClient({
      adapter: sharingSqliteAdapter(new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS }), sqlite),
    });
    sqliteConnectionsByClient.set(client, sqlite);
    return { client, pool: null, sqlite };
  }
  // The pool is made here rather than by the adapter so its counts can be read (and the ingest path can use it directly); $disconnect() still ends it.
  const pool = new pg.Pool({ connectionString: url });
  // An idle connection the server closed (restart, admin command) is dropped by the pool; without a listener the
  // 'error' event would end the process. The adapter adds its own only once Prisma connects, the ingest path may come first.
  pool.on("error", () => undefined);
  const client = new PostgresPrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  // Same models, same generated API: only the provider tag differs.
  return { client: client as unknown as Db, pool, sqlite: null };
}

const relaxedSqliteCommitsSlot = processSlot<boolean>("rxwatchRelaxedSqliteCommits");

/**
 * Makes this thread's shared SQLite connection commit with `synchronous=NORMAL`
 * instead of FULL; call before its first use. The processing thread does: its
 * worker commits five or six times per batch, and on this machine each fsync
 * cost about a millisecond of the thread's time. In WAL mode such a commit is
 * consistent but may be lost, with the ones after it, if the machine loses
 * power before the next fsync; an event whose processing was lost is
 * processed again, with the same result. The ingest batch, which a webhook's
 * acknowledgement waits for, is always committed with FULL
 * (server/repositories/deliveries-driver.ts), and its fsync makes every
 * earlier commit durable too. docs/ingest.md#the-processing-thread
 */
export function relaxSqliteCommits(): void {
  relaxedSqliteCommitsSlot.value = true;
}

/**
 * Per-connection SQLite settings. WAL is persisted in the file by the migrator;
 * `synchronous` is per connection: FULL makes a commit durable before it
 * returns, which ingest relies on before acknowledging a webhook (see
 * relaxSqliteCommits for the one connection that commits with NORMAL).
 */
export async function configureConnection(client: Db, url: string): Promise<void> {
  if (databaseProvider(url) !== "sqlite") return;
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$executeRawUnsafe(relaxedSqliteCommitsSlot.value ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
  await client.$executeRawUnsafe("PRAGMA foreign_keys = ON");
}

interface SharedDb extends CreatedDb {
  ready: Promise<void>;
}

const dbSlot = processSlot<SharedDb>("rxwatchDb");

function sharedDb(): SharedDb {
  if (!dbSlot.value) {
    const url = env().DATABASE_URL;
    const created = createDbWithPool(url);
    dbSlot.value = { ...created, ready: configureConnection(created.client, url) };
  }
  return dbSlot.value;
}

/**
 * The process's Prisma client, configured before first use. Only
 * server/repositories/* call this; everything else goes through them.
 */
export async function db(): Promise<Db> {
  const { client, ready } = sharedDb();
  await ready;
  return client;
}

/**
 * The shared client's driver, for the one hot path where Prisma's per-call
 * cost dominates (the ingest group commit, server/repositories/deliveries-driver.ts).
 * On SQLite, `runExclusive` runs `work` on Prisma's own connection between
 * Prisma's transactions; `work` must be synchronous (better-sqlite3 is), so
 * nothing else can use the connection while it runs. On PostgreSQL it is
 * Prisma's pool.
 */
export type DriverAccess =
  | { provider: "sqlite"; runExclusive: <T>(work: (database: BetterSqlite3.Database) => T) => Promise<T> }
  | { provider: "postgresql"; pool: pg.Pool };

export async function driverAccess(): Promise<DriverAccess> {
  const shared = sharedDb();
  await shared.ready;
  const { pool, sqlite } = shared;
  if (pool) return { provider: "postgresql", pool };
  if (!sqlite) throw new Error("the shared client has neither a pool nor a SQLite connection");
  return { provider: "sqlite", runExclusive: exclusiveRunner(shared.client, sqlite) };
}

/** SQLite connections by the client that opened them, for {@link sqliteRunnerOf}. */
const sqliteConnectionsByClient = new WeakMap<Db, SharedSqliteConnection>();

/**
 * `runExclusive` (see {@link DriverAccess}) on `client`'s own SQLite
 * connection; null when `client` is on PostgreSQL. For repositories that take
 * a client of their own (tests, a second worker) and run statements on the
 * driver on SQLite.
 */
export function sqliteRunnerOf(client: Db): (<T>(work: (database: BetterSqlite3.Database) => T) => Promise<T>) | null {
  const sqlite = sqliteConnectionsByClient.get(client);
  return sqlite ? exclusiveRunner(client, sqlite) : null;
}

function exclusiveRunner(client: Db, sqlite: SharedSqliteConnection) {
  return async <T>(work: (database: BetterSqlite3.Database) => T): Promise<T> => {
    const release = await takeConnectionTurn(sqlite);
    try {
      // Prisma connects lazily and reconnects after $disconnect; a query opens the connection.
      if (!sqlite.database?.open) await client.$queryRawUnsafe("SELECT 1");
      if (!sqlite.database) throw new Error("the SQLite connection is not open");
      return work(sqlite.database);
    } finally {
      release();
    }
  };
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
