#!/usr/bin/env node
// Writes one Prisma schema per provider from prisma/models.prisma, so the two
// can never differ in their models. `--check` exits 1 instead of writing when a
// committed schema is out of step (used by the test suite).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PROVIDERS = ["sqlite", "postgresql"];

export function renderSchema(provider) {
  const models = readFileSync(path.join(root, "prisma/models.prisma"), "utf8");
  return `// GENERATED from prisma/models.prisma by scripts/db-schemas.mjs — do not edit.
generator client {
  provider     = "prisma-client"
  output       = "../generated/${provider}"
  moduleFormat = "esm"
  runtime      = "nodejs"
}

datasource db {
  provider = "${provider}"
}

${models}`;
}

export function schemaPath(provider) {
  return path.join(root, "prisma", provider, "schema.prisma");
}

function main() {
  const check = process.argv.includes("--check");
  let drifted = 0;
  for (const provider of PROVIDERS) {
    const file = schemaPath(provider);
    const wanted = renderSchema(provider);
    const current = existsSync(file) ? readFileSync(file, "utf8") : "";
    if (current === wanted) continue;
    if (check) {
      console.error(`${path.relative(root, file)} differs from prisma/models.prisma: run npm run db:schemas`);
      drifted++;
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, wanted);
      console.log(`wrote ${path.relative(root, file)}`);
    }
  }
  process.exit(drifted ? 1 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
