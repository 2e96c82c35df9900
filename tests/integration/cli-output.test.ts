import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("npm run rxwatch output streams", () => {
  it("prints only the new token on stdout; the audit log line and notes go to stderr", () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "rxwatch-cli-"));
    const result = spawnSync(
      process.execPath,
      ["node_modules/tsx/dist/cli.mjs", "--conditions=react-server", "--tsconfig", "tsconfig.json", "scripts/rxwatch.ts", "token", "add", "--name", "piped", "--role", "staff"],
      {
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, DATABASE_URL: `file:${path.join(directory, "cli.db")}`, RXWATCH_SECRET_KEY: "cli-output-secret-key-that-is-long-enough-0123", LOG_LEVEL: "info", LOG_FORMAT: "json" },
      },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^rxw_[\w-]+\n$/);
    expect(result.stderr).toContain('"audit":"token.create"');
  }, 150_000);
});
