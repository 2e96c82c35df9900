#!/usr/bin/env node
// Writes a new migration for both providers: `npm run db:migration -- <name>`.
//
// Prisma 7's `migrate dev` cannot run offline, so this diffs git HEAD's schema
// against the working one with Prisma 6.19's WASM engine. Review the SQL before
// committing. See docs/development.md#writing-a-migration.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startThrowawayPostgres } from "./pg-cluster.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  console.error("usage: npm run db:migration -- <name>");
  process.exit(2);
}
const tools = path.join(root, "node_modules", ".cache", "rxwatch-prisma6");
if (!existsSync(path.join(tools, "node_modules", ".bin", "prisma"))) {
  mkdirSync(tools, { recursive: true });
  writeFileSync(path.join(tools, "package.json"), '{"name":"rxwatch-prisma6","private":true}\n');
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "prisma@6.19.3", "@prisma/adapter-better-sqlite3@6.19.3", "@prisma/adapter-pg@6.19.3", "pg@8"], { cwd: tools, stdio: "inherit" });
}

function previousSchema(provider) {
  try {
    return execFileSync("git", ["show", `HEAD:prisma/${provider}/schema.prisma`], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
}

/** Prisma 6 wants a datasource url and no prisma-client generator block. */
function forPrisma6(schema, provider) {
  const models = schema.replace(/^generator client \{[\s\S]*?^\}\n/m, "").replace(/^datasource db \{[\s\S]*?^\}\n/m, "");
  return `datasource db {\n  provider = "${provider}"\n  url = env("RXWATCH_DIFF_URL")\n}\n${models}`;
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const pg = await startThrowawayPostgres();
try {
  for (const provider of ["sqlite", "postgresql"]) {
    const work = path.join(tools, `diff-${provider}`);
    mkdirSync(work, { recursive: true });
    const url = provider === "sqlite" ? `file:${path.join(work, "unused.db")}` : pg.url;
    const adapter =
      provider === "sqlite"
        ? `import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";\nconst adapter = async () => new PrismaBetterSQLite3({ url: ${JSON.stringify(url)} });`
        : `import { PrismaPg } from "@prisma/adapter-pg";\nconst adapter = async () => new PrismaPg({ connectionString: ${JSON.stringify(url)} });`;
    writeFileSync(path.join(work, "prisma.config.ts"), `import { defineConfig } from "prisma/config";\n${adapter}\nexport default defineConfig({ experimental: { adapter: true }, engine: "js", adapter, schema: "./to.prisma" });\n`);
    writeFileSync(path.join(work, "from.prisma"), forPrisma6(previousSchema(provider), provider));
    writeFileSync(path.join(work, "to.prisma"), forPrisma6(execFileSync("cat", [path.join(root, "prisma", provider, "schema.prisma")], { encoding: "utf8" }), provider));
    const result = spawnSync(path.join(tools, "node_modules", ".bin", "prisma"), ["migrate", "diff", "--from-schema-datamodel", "from.prisma", "--to-schema-datamodel", "to.prisma", "--script"], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, RXWATCH_DIFF_URL: url, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_QUERY_ENGINE_LIBRARY: process.execPath, CHECKPOINT_DISABLE: "1" },
    });
    if (result.status !== 0) {
      console.error(result.stderr);
      process.exit(1);
    }
    if (!result.stdout.trim() || /^-- This is an empty migration/m.test(result.stdout)) {
      console.log(`${provider}: no changes`);
      continue;
    }
    const directory = path.join(root, "prisma", provider, "migrations", `${stamp}_${name}`);
    mkdirSync(directory, { recursive: true });
    writeFileSync(path.join(directory, "migration.sql"), result.stdout);
    console.log(`wrote ${path.relative(root, directory)}/migration.sql`);
  }
} finally {
  await pg.stop();
}
