import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;
const shared = {
  resolve: {
    alias: [
      { find: /^@\//, replacement: `${root}/` },
      // `server-only` throws outside React Server Components; tests run server code directly.
      { find: /^server-only$/, replacement: path.join(root, "tests/support/server-only-stub.ts") },
    ],
  },
};

// Server log lines are kept per test and shown only for a failing one (tests/support/quiet-logs.ts).
const QUIET_LOGS = "tests/support/quiet-logs.ts";
/** Where a project's captured output also goes, for `npm test`'s log scan (scripts/log-scan.ts reads test-results/logs). */
const outputLog = (project: string) => path.join(root, "test-results", "logs", `${project}-server-output.log`);

const integration = (provider: "sqlite" | "postgresql") => ({
  ...shared,
  test: {
    name: `integration-${provider}`,
    include: ["tests/integration/**/*.test.ts"],
    // Tests of what only one database does live in its own folder, so the other run leaves them out rather than reporting them skipped.
    exclude: [`tests/integration/${provider === "sqlite" ? "postgresql" : "sqlite"}/**`],
    env: { RXWATCH_TEST_PROVIDER: provider, NODE_ENV: "test" as const, LOG_LEVEL: "warn", RXWATCH_TEST_OUTPUT_LOG: outputLog(`integration-${provider}`) },
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: [QUIET_LOGS, "tests/support/database-per-file.ts"],
    pool: "forks" as const,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      { ...shared, test: { name: "unit", include: ["{lib,server,components,emulator,scripts}/**/*.test.ts", "tests/architecture/**/*.test.ts"], env: { NODE_ENV: "test" as const, RXWATCH_TEST_OUTPUT_LOG: outputLog("unit") }, setupFiles: [QUIET_LOGS] } },
      integration("sqlite"),
      integration("postgresql"),
      {
        ...shared,
        // Crash and fault scenarios against the production build (run `next build` first); see docs/reliability.md.
        test: {
          name: "reliability",
          include: ["tests/reliability/**/*.test.ts"],
          env: { NODE_ENV: "test" as const, RXWATCH_TEST_OUTPUT_LOG: outputLog("reliability") },
          setupFiles: [QUIET_LOGS],
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
