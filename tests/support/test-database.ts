import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDatabase } from "../../scripts/pg-cluster.mjs";

export type TestProvider = "sqlite" | "postgresql";

export function testProvider(): TestProvider {
  return process.env.RXWATCH_TEST_PROVIDER === "postgresql" ? "postgresql" : "sqlite";
}

/** A new, empty database of the project's provider: a temp SQLite file or a fresh PostgreSQL database. */
export async function createEmptyDatabase(provider: TestProvider = testProvider()): Promise<string> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "rxwatch-test-"));
    return `file:${path.join(dir, "rxwatch.db")}`;
  }
  const adminUrl = inject("pgAdminUrl");
  if (!adminUrl) throw new Error("No PostgreSQL for this test project");
  return (await createDatabase(adminUrl, `t_${randomBytes(6).toString("hex")}`)) as string;
}
