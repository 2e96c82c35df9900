import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { AppError } from "@/server/core/errors";
import { prepareDataDirectory } from "@/server/core/data-files";
import { databaseProvider, sqliteFilePath, SQLITE_BUSY_TIMEOUT_MS, type DatabaseProvider } from "@/server/core/db";

/*
 * RxWatch applies its own migrations because `prisma migrate` needs a native
 * schema engine that offline and air-gapped installs cannot download. It keeps
 * Prisma Migrate's folder layout (prisma/<provider>/migrations/<name>/migration.sql)
 * and writes `_prisma_migrations` rows the way Prisma does (SHA-256 checksum of
 * the file, finished_at set on success), so `prisma migrate status/deploy`
 * agree with it wherever the engine is available.
 */

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  latest: string | null;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Any constant works; it only has to be the same in every RxWatch instance. */
const PG_MIGRATION_LOCK_KEY = 7_347_201_993;

const PG_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export function migrationsDirectory(provider: DatabaseProvider, root = process.cwd()): string {
  return path.join(root, "prisma", provider, "migrations");
}

/** The provider's migrations in the order Prisma applies them (folder names sort by timestamp). */
export function readMigrations(provider: DatabaseProvider, root = process.cwd()): Migration[] {
  const directory = migrationsDirectory(provider, root);
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(directory, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(directory, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

/**
 * Decides which migrations to apply, refusing to go on when the database and
 * the files disagree: an edited applied migration, a failed one, or one this
 * version does not know (the database belongs to a newer RxWatch).
 */
export function planMigrations(available: Migration[], applied: AppliedRow[]): Migration[] {
  const known = new Map(available.map((migration) => [migration.name, migration]));
  for (const row of applied) {
    if (row.rolled_back_at) continue;
    const migration = known.get(row.migration_name);
    if (!migration) {
      throw new AppError(
        "migration_failed",
        `The database has migration "${row.migration_name}", which this RxWatch version does not include. It was set up by a newer version: upgrade RxWatch instead of downgrading.`,
      );
    }
    if (!row.finished_at) {
      throw new AppError(
        "migration_failed",
        `Migration "${row.migration_name}" started but did not finish. Restore the database from a backup or repair it by hand, then mark it resolved with \`prisma migrate resolve\`.`,
      );
    }
    if (row.checksum !== migration.checksum) {
      throw new AppError(
        "migration_failed",
        `Migration "${row.migration_name}" was changed after it was applied (checksum in database ${row.checksum.slice(0, 12)}…, in prisma/ ${migration.checksum.slice(0, 12)}…). Applied migrations must never be edited: restore the original file and put the change in a new migration.`,
      );
    }
  }
  const done = new Set(applied.filter((row) => !row.rolled_back_at).map((row) => row.migration_name));
  return available.filter((migration) => !done.has(migration.name));
}

async function migrateSqlite(url: string, migrations: Migration[]): Promise<string[]> {
  const file = sqliteFilePath(url);
  prepareDataDirectory(file);
  const database = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    // WAL is a property of the file: set once here, every later connection uses it.
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = FULL");
    database.pragma("foreign_keys = ON");
    // BEGIN IMMEDIATE takes the write lock, so a second instance starting at
    // the same moment waits here and then finds everything applied.
    database.exec("BEGIN IMMEDIATE");
    try {
      database.exec(SQLITE_MIGRATIONS_TABLE);
      const applied = database.prepare(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`).all() as AppliedRow[];
      const pending = planMigrations(migrations, applied);
      const record = database.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
      );
      for (const migration of pending) {
        const startedAt = Date.now();
        database.exec(migration.sql);
        // Prisma's SQLite driver stores DATETIME as Unix milliseconds.
        record.run(randomUUID(), migration.checksum, Date.now(), migration.name, startedAt);
      }
      database.exec("COMMIT");
      return pending.map((migration) => migration.name);
    } catch (error) {
      database.exec("ROLLBACK");
      throw error;
    }
  } finally {
    database.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A session-level advisory lock serialises instances that start together.
    await client.query("SELECT pg_advisory_lock($1)", [PG_MIGRATION_LOCK_KEY]);
    try {
      await client.query(PG_MIGRATIONS_TABLE);
      const { rows } = await client.query<AppliedRow>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
      const pending = planMigrations(migrations, rows);
      for (const migration of pending) {
        await client.query("BEGIN");
        try {
          const startedAt = new Date();
          await client.query(migration.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)`,
            [randomUUID(), migration.checksum, migration.name, startedAt],
          );
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw new AppError("migration_failed", `Migration "${migration.name}" failed and was rolled back: ${(error as Error).message}`);
        }
      }
      return pending.map((migration) => migration.name);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PG_MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/**
 * Brings the database at `url` up to date. Idempotent, safe to run from several
 * instances at once, and refuses (AppError `migration_failed`) on any mismatch
 * between the database's history and the migration files.
 */
export async function migrateDatabase(url: string, root = process.cwd()): Promise<MigrationResult> {
  const provider = databaseProvider(url);
  const migrations = readMigrations(provider, root);
  const applied = provider === "sqlite" ? await migrateSqlite(url, migrations) : await migratePostgres(url, migrations);
  return { applied, latest: migrations.at(-1)?.name ?? null };
}
