import { createExclusiveRunner, type ExclusiveRunner } from "@/server/timers/leader-lock";

/*
 * Several instances on one database, played inside one test process: each
 * ExclusiveRunner stands for one instance's timers (on PostgreSQL each has
 * its own lock connection, exactly as separate processes would).
 */

export function testDatabaseUrl(): string {
  const value = process.env.DATABASE_URL;
  if (!value) throw new Error("DATABASE_URL missing");
  return value;
}

/** Hands out runners for a test file; `releaseAll` in its `afterAll` frees their lock sessions. */
export function instanceRunners(): { instance: () => ExclusiveRunner; releaseAll: () => Promise<void> } {
  const runners: ExclusiveRunner[] = [];
  return {
    instance: () => {
      const runner = createExclusiveRunner(testDatabaseUrl());
      runners.push(runner);
      return runner;
    },
    releaseAll: async () => {
      for (const runner of runners.splice(0)) await runner.release();
    },
  };
}
