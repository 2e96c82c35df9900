import { randomUUID } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { db, driverAccess, SQLITE_STATEMENT_CACHE_SIZE } from "@/server/core/db";

/*
 * Prisma's SQLite adapter prepares every query again each time it runs;
 * server/core/db.ts keeps the statements of its connection and reuses them.
 */

async function onConnection<T>(work: (database: BetterSqlite3.Database) => T): Promise<T> {
  const driver = await driverAccess();
  if (driver.provider !== "sqlite") throw new Error("this file runs on SQLite only");
  return driver.runExclusive(work);
}

describe("prepared statements on the SQLite connection", () => {
  it("prepares a SQL text once and hands out the same statement after", async () => {
    await db();
    const [first, second] = await onConnection((database) => [database.prepare("SELECT 1 AS one"), database.prepare("SELECT 1 AS one")]);
    expect(second).toBe(first);
  });

  it("runs a reused statement with each query's own values, reading and writing", async () => {
    const client = await db();
    const names = [`cache-${randomUUID()}`, `cache-${randomUUID()}`];
    for (const name of names) await client.setting.create({ data: { key: name, value: JSON.stringify({ name }) } });
    for (const name of names) {
      const row = await client.setting.findUnique({ where: { key: name } });
      expect(row?.value).toBe(JSON.stringify({ name }));
    }
    const updated = await client.setting.updateMany({ where: { key: names[1] }, data: { value: "{}" } });
    expect(updated.count).toBe(1);
    expect((await client.setting.findUnique({ where: { key: names[0] } }))?.value).toBe(JSON.stringify({ name: names[0] }));
  });

  it("keeps at most SQLITE_STATEMENT_CACHE_SIZE statements, dropping the least recently used", async () => {
    await db();
    const isFirstKept = await onConnection((database) => {
      const first = database.prepare("SELECT 0 AS n");
      for (let index = 1; index <= SQLITE_STATEMENT_CACHE_SIZE; index += 1) database.prepare(`SELECT ${index} AS n`);
      return database.prepare("SELECT 0 AS n") === first;
    });
    expect(isFirstKept).toBe(false);
  });
});
