import "server-only";
import { processSingleton, processSlot } from "@/server/core/process-slot";
import { randomBytes } from "node:crypto";
import { databaseProvider } from "@/server/core/db";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { openLockSession, type LockSession } from "@/server/repositories/advisory-locks";

// Work that must run on one instance at a time on a shared PostgreSQL: timers hold a
// leader advisory lock across ticks on a dedicated connection (others' ticks are no-ops);
// bulk rewrites wait for theirs. On SQLite an in-process registry does the same.
// See docs/operations.md#running-several-instances

/** Names of the exclusive jobs, one place so two jobs never share a lock by accident. */
export const EXCLUSIVE_JOBS = {
  alertTimer: "timer:alerts",
  retentionTimer: "timer:retention",
  stuckDeadlines: "job:stuck-deadlines",
  demoMode: "demo-mode",
  reconciliationTimer: "timer:reconciliation",
  reconciliation: "job:reconciliation",
  subscriptionHealthTimer: "timer:subscription-health",
} as const;

export type ExclusiveRun<T> = { ran: true; value: T } | { ran: false };

export interface ExclusiveRunner {
  /**
   * Runs `fn` if this runner holds the leader lock `name`, taking it when no
   * other runner does, and keeps the lock afterwards. Returns `{ ran: false }`
   * without running when another runner leads, or when this runner is still
   * inside an earlier `fn` of the same name (runs never overlap).
   */
  runExclusive<T>(name: string, fn: () => Promise<T>): Promise<ExclusiveRun<T>>;
  /** Waits until no other runner is inside `runSerialized` of `name`, then runs `fn`; for work that must happen but never twice at once. */
  runSerialized<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Whether this runner currently leads `name` (as of its last run). */
  isLeader(name: string): boolean;
  /** Gives up every lock this runner holds (another runner takes over at its next tick). */
  release(): Promise<void>;
}

/** An in-process stand-in for advisory locks on SQLite: leader names and a queue per serialized name. */
const sqliteLocks = processSingleton<{ leaders: Map<string, string>; queues: Map<string, Promise<unknown>> }>("rxwatchSqliteLocks", () => ({ leaders: new Map(), queues: new Map() }));

function createSqliteRunner(): ExclusiveRunner {
  const id = randomBytes(6).toString("hex");
  const running = new Set<string>();
  return {
    async runExclusive(name, fn) {
      const leader = sqliteLocks.leaders.get(name);
      if ((leader !== undefined && leader !== id) || running.has(name)) return { ran: false };
      sqliteLocks.leaders.set(name, id);
      running.add(name);
      try {
        return { ran: true, value: await fn() };
      } finally {
        running.delete(name);
      }
    },
    async runSerialized(name, fn) {
      const previous = sqliteLocks.queues.get(name) ?? Promise.resolve();
      const result = previous.catch(() => undefined).then(fn);
      const settled = result.catch(() => undefined);
      sqliteLocks.queues.set(name, settled);
      void settled.then(() => {
        if (sqliteLocks.queues.get(name) === settled) sqliteLocks.queues.delete(name);
      });
      return result;
    },
    isLeader: (name) => sqliteLocks.leaders.get(name) === id,
    async release() {
      for (const [name, leader] of sqliteLocks.leaders) if (leader === id) sqliteLocks.leaders.delete(name);
    },
  };
}

function createPostgresRunner(url: string): ExclusiveRunner {
  let session: LockSession | null = null;
  let opening: Promise<LockSession> | null = null;
  const held = new Set<string>();
  const running = new Set<string>();

  const lost = () => {
    if (held.size > 0) log("warn", "exclusive lock connection lost; leadership given up", { locks: [...held] });
    held.clear();
    session = null;
  };
  async function currentSession(): Promise<LockSession> {
    if (session && !session.isClosed()) return session;
    opening ??= openLockSession(url, lost).finally(() => {
      opening = null;
    });
    session = await opening;
    return session;
  }

  /** Whether this runner leads `name` now: re-checked with PostgreSQL each time, so a silently dropped connection cannot leave two leaders. */
  async function lead(name: string): Promise<boolean> {
    let current: LockSession;
    try {
      current = await currentSession();
      if (held.has(name) && (await current.holds(name))) return true;
      held.delete(name);
      if (!(await current.tryLock(name))) return false;
    } catch (error) {
      log("warn", "exclusive lock unavailable; skipping this run", { lock: name, error: error instanceof Error ? error.name : "unknown" });
      held.clear();
      await session?.close();
      session = null;
      return false;
    }
    held.add(name);
    log("info", "exclusive lock taken: this instance now runs it", { lock: name });
    return true;
  }

  return {
    async runExclusive(name, fn) {
      if (running.has(name)) return { ran: false };
      running.add(name);
      try {
        if (!(await lead(name))) return { ran: false };
        return { ran: true, value: await fn() };
      } finally {
        running.delete(name);
      }
    },
    async runSerialized(name, fn) {
      // A connection of its own: a blocking wait must not hold up the leader session's checks.
      const own = await openLockSession(url);
      try {
        await own.lock(name);
        return await fn();
      } finally {
        // Closing the session releases the lock too, even if unlocking failed.
        await own.close();
      }
    },
    isLeader: (name) => held.has(name),
    async release() {
      held.clear();
      const current = session;
      session = null;
      await current?.close();
    },
  };
}

/** A runner for the database at `url`. The process shares one ({@link runExclusive}); tests make several to stand for instances. */
export function createExclusiveRunner(url: string): ExclusiveRunner {
  return databaseProvider(url) === "sqlite" ? createSqliteRunner() : createPostgresRunner(url);
}

const exclusiveRunnerSlot = processSlot<ExclusiveRunner>("rxwatchExclusiveRunner");

function processRunner(): ExclusiveRunner {
  return (exclusiveRunnerSlot.value ??= createExclusiveRunner(env().DATABASE_URL));
}

/** {@link ExclusiveRunner.runExclusive} for this process: wrap a timer tick in it so only one instance runs the tick. */
export function runExclusive<T>(name: string, fn: () => Promise<T>): Promise<ExclusiveRun<T>> {
  return processRunner().runExclusive(name, fn);
}

/** {@link ExclusiveRunner.runSerialized} for this process. */
export function runSerialized<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return processRunner().runSerialized(name, fn);
}

/** Gives up this process's leader locks, e.g. on shutdown, so another instance takes over at once. */
export async function releaseExclusiveLocks(): Promise<void> {
  await exclusiveRunnerSlot.value?.release();
}
