#!/usr/bin/env node
// Generates both providers' Prisma clients. `prisma generate` needs no schema
// engine, but Prisma's CLI insists that one exists on disk and otherwise tries
// to download it (impossible offline). Pointing PRISMA_SCHEMA_ENGINE_BINARY at
// any existing file satisfies the check; generate never executes it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaBin = path.join(root, "node_modules", "prisma", "build", "index.js");

for (const provider of ["sqlite", "postgresql"]) {
  const result = spawnSync(process.execPath, [prismaBin, "generate", "--schema", `prisma/${provider}/schema.prisma`], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
