import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, mkdtempSync, cpSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { migrateDatabase, readMigrations } from "@/server/core/migrations";
import { createEmptyDatabase, testProvider } from "../support/test-database";
import { readModels } from "../support/prisma-models";

const provider = testProvider();

async function query<T>(url: string, sql: string): Promise<T[]> {
  if (provider === "sqlite") {
    const database = new Database(url.replace(/^file:/, ""));
    try {
      const statement = database.prepare(sql);
      return (statement.reader ? statement.all() : (statement.run(), [])) as T[];
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function columnsOf(url: string, table: string): Promise<string[]> {
  if (provider === "sqlite") {
    return (await query<{ name: string }>(url, `PRAGMA table_info("${table}")`)).map((row) => row.name).sort();
  }
  return (await query<{ column_name: string }>(url, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${table}'`))
    .map((row) => row.column_name)
    .sort();
}

/** A copy of the project's migrations that a test may tamper with. */
function migrationsCopy(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "rxwatch-migrations-"));
  cpSync(path.join(process.cwd(), "prisma", provider, "migrations"), path.join(root, "prisma", provider, "migrations"), { recursive: true });
  return root;
}

describe(`migrations on ${provider}`, () => {
  it("applies every migration to an empty database and records them as Prisma does", async () => {
    const url = await createEmptyDatabase();
    const result = await migrateDatabase(url);
    const files = readMigrations(provider);
    expect(result.applied).toEqual(files.map((migration) => migration.name));
    const rows = await query<{ migration_name: string; checksum: string; finished_at: unknown; applied_steps_count: number }>(
      url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((row) => [row.migration_name, row.checksum])).toEqual(files.map((migration) => [migration.name, migration.checksum]));
    for (const row of rows) {
      expect(row.finished_at).not.toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
    }
  });

  it("is idempotent: a second run applies nothing", async () => {
    const url = await createEmptyDatabase();
    await migrateDatabase(url);
    expect((await migrateDatabase(url)).applied).toEqual([]);
  });

  it("lets several instances start at once without applying anything twice", async () => {
    const url = await createEmptyDatabase();
    const results = await Promise.all([migrateDatabase(url), migrateDatabase(url), migrateDatabase(url)]);
    const appliedCounts = results.map((result) => result.applied.length).sort();
    expect(appliedCounts).toEqual([0, 0, readMigrations(provider).length]);
    const rows = await query<{ n: number | string }>(url, `SELECT COUNT(*) AS n FROM "_prisma_migrations"`);
    expect(Number(rows[0]?.n)).toBe(readMigrations(provider).length);
  });

  it("refuses to start when an applied migration was edited, naming it", async () => {
    const url = await createEmptyDatabase();
    const root = migrationsCopy();
    await migrateDatabase(url, root);
    const first = readMigrations(provider, root)[0];
    if (!first) throw new Error("no migrations");
    const file = path.join(root, "prisma", provider, "migrations", first.name, "migration.sql");
    writeFileSync(file, readFileSync(file, "utf8") + "\n-- edited\n");
    await expect(migrateDatabase(url, root)).rejects.toThrow(new RegExp(`${first.name}.*was changed after it was applied`));
  });

  it("refuses a database migrated by a newer version", async () => {
    const url = await createEmptyDatabase();
    await migrateDatabase(url);
    await query(url, `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ('x', 'abc', ${provider === "sqlite" ? "1" : "now()"}, '29991231000000_future', ${provider === "sqlite" ? "1" : "now()"}, 1)`);
    await expect(migrateDatabase(url)).rejects.toThrow(/29991231000000_future.*does not include/);
  });

  it("creates a column for every field of every model (catches a migration missing a column)", async () => {
    const url = await createEmptyDatabase();
    await migrateDatabase(url);
    for (const model of readModels()) {
      const columns = await columnsOf(url, model.table);
      expect(columns, `table ${model.table}`).toEqual(model.fields.map((field) => field.column).sort());
    }
  });
});
