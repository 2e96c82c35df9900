import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { migrateDatabase } from "@/server/core/migrations";

/* The SQLite database, its WAL and shared memory, and the files beside it are private to RxWatch's account. */

const made: string[] = [];
afterEach(() => {
  for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function modeOf(file: string): string {
  return (statSync(file).mode & 0o777).toString(8);
}

describe("data files on disk", () => {
  it("creates the data directory 0700 and the database, its WAL and its shared memory 0600", async () => {
    const parent = mkdtempSync(path.join(tmpdir(), "rxwatch-modes-"));
    made.push(parent);
    const directory = path.join(parent, "data");
    const file = path.join(directory, "rxwatch.db");
    await migrateDatabase(`file:${file}`);
    // An open connection keeps the WAL and shared-memory files in place.
    const connection = new Database(file);
    connection.prepare("SELECT count(*) FROM _prisma_migrations").get();
    try {
      expect(modeOf(directory)).toBe("700");
      for (const name of ["rxwatch.db", "rxwatch.db-wal", "rxwatch.db-shm"]) expect(modeOf(path.join(directory, name)), name).toBe("600");
    } finally {
      connection.close();
    }
  });

  it("tightens looser modes left by an earlier start", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "rxwatch-modes-"));
    made.push(directory);
    const file = path.join(directory, "rxwatch.db");
    await migrateDatabase(`file:${file}`);
    const connection = new Database(file);
    connection.prepare("SELECT count(*) FROM _prisma_migrations").get();
    try {
      const names = ["rxwatch.db", "rxwatch.db-wal", "rxwatch.db-shm", "secret.key", "demo-admin-password.txt"];
      for (const name of ["secret.key", "demo-admin-password.txt"]) writeFileSync(path.join(directory, name), "x");
      for (const name of names) chmodSync(path.join(directory, name), 0o644);
      chmodSync(directory, 0o755);
      await migrateDatabase(`file:${file}`);
      expect(modeOf(directory)).toBe("700");
      for (const name of names) expect(modeOf(path.join(directory, name)), name).toBe("600");
    } finally {
      connection.close();
    }
  });
});
