import "server-only";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "@/server/core/env";
import { databaseProvider, sqliteFilePath } from "@/server/core/db";
import { DATA_DIRECTORY_MODE, DATA_FILE_MODE } from "@/server/core/data-files";

// The generated key is read once per file: the key ring asks for it on every sealed body.
const generatedKeys = new Map<string, string>();

/**
 * The instance's secret key. Taken from RXWATCH_SECRET_KEY; on SQLite, when it
 * is unset, one is generated next to the database file (mode 0600) so a new
 * user needs no setup. PostgreSQL deployments run several instances that must
 * share one key, so there it is required.
 */
export function secretKey(): string {
  const configured = env().RXWATCH_SECRET_KEY;
  if (configured) return configured;
  const url = env().DATABASE_URL;
  if (databaseProvider(url) !== "sqlite") {
    throw new Error("RXWATCH_SECRET_KEY is required with PostgreSQL: every instance must share it. Generate one with `openssl rand -base64 48`.");
  }
  const file = path.join(path.dirname(sqliteFilePath(url)), "secret.key");
  const known = generatedKeys.get(file);
  if (known !== undefined) return known;
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: DATA_DIRECTORY_MODE });
    writeFileSync(file, randomBytes(48).toString("base64"), { mode: DATA_FILE_MODE, flag: "wx" });
  }
  chmodSync(file, DATA_FILE_MODE);
  const key = readFileSync(file, "utf8").trim();
  generatedKeys.set(file, key);
  return key;
}

/** Keys that sealed data before the current one (RXWATCH_PREVIOUS_SECRET_KEYS): accepted for opening, never for sealing. */
export function previousSecretKeys(): readonly string[] {
  return env().RXWATCH_PREVIOUS_SECRET_KEYS;
}
