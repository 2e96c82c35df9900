// Where a benchmark round's CPU went: the server's main thread, its other threads (the processing thread, V8's and
// libuv's helpers), the load generator (this process) and what the machine left idle. A ratio against the no-op route
// means one thing when the main thread had a core to itself and another when every core was busy; this tells which.
// Linux only (it reads /proc); elsewhere every reading is null and the benchmark prints no breakdown.
import { readdirSync, readFileSync } from "node:fs";

/**
 * /proc reports CPU times in clock ticks of USER_HZ, which is 100 on x86 and Arm Linux (sysconf(_SC_CLK_TCK), which
 * Node does not expose).
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * User plus system clock ticks from a `/proc/PID/task/TID/stat` line. The second field, the thread's name, is in
 * parentheses and may itself hold spaces and parentheses, so the fields are counted from the last `)`.
 *
 * @param {string} line
 * @returns {number}
 */
export function threadTicksOf(line) {
  const afterName = line.slice(line.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of the line (utime, stime) are the 12th and 13th after the name, which ends field 2.
  const user = Number(afterName[11]);
  const system = Number(afterName[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  return user + system;
}

/**
 * The machine's idle clock ticks, all cores added up, from `/proc/stat`'s first line (user, nice, system, idle,
 * iowait, …). Waiting for I/O counts as idle: a core waiting for a disk could have run a thread.
 *
 * @param {string} text
 * @returns {number}
 */
export function machineIdleTicksOf(text) {
  const line = text.split("\n").find((candidate) => candidate.startsWith("cpu "));
  const ticks = line?.trim().split(/\s+/).map(Number) ?? [];
  const idle = ticks[4] + ticks[5];
  if (!Number.isFinite(idle)) throw new Error("/proc/stat has no cpu line");
  return idle;
}

/**
 * @typedef {{ atMs: number; threads: Map<number, number>; machineIdle: number; ownMicros: number }} CpuReading
 */

/**
 * The CPU ticks so far of every thread of `pid`, of the machine, and of this process (the load generator).
 * Null where /proc cannot be read (not Linux, or the server has exited).
 *
 * @param {number | undefined} pid
 * @returns {CpuReading | null}
 */
export function readCpu(pid) {
  if (pid === undefined) return null;
  try {
    const threads = new Map();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        threads.set(Number(tid), threadTicksOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")));
      } catch {
        // The thread ended between the listing and the read; its ticks are lost with it.
      }
    }
    const own = process.cpuUsage();
    return { atMs: performance.now(), threads, machineIdle: machineIdleTicksOf(readFileSync("/proc/stat", "utf8")), ownMicros: own.user + own.system };
  } catch {
    return null;
  }
}

/**
 * Cores kept busy between two readings, on average: the server's main thread (its thread id is the process id), its
 * other threads, this process, and the machine's idle cores. A thread born in between counts from zero.
 *
 * @param {CpuReading | null} before
 * @param {CpuReading | null} after
 * @param {number | undefined} pid
 * @returns {{ mainThread: number; otherThreads: number; loadGenerator: number; idle: number } | null}
 */
export function coresBetween(before, after, pid) {
  if (!before || !after || pid === undefined) return null;
  const seconds = (after.atMs - before.atMs) / 1000;
  if (!(seconds > 0)) return null;
  const cores = (ticks) => ticks / CLOCK_TICKS_PER_SECOND / seconds;
  let otherTicks = 0;
  for (const [tid, ticks] of after.threads) if (tid !== pid) otherTicks += ticks - (before.threads.get(tid) ?? 0);
  return {
    mainThread: cores((after.threads.get(pid) ?? 0) - (before.threads.get(pid) ?? 0)),
    otherThreads: cores(otherTicks),
    loadGenerator: (after.ownMicros - before.ownMicros) / 1e6 / seconds,
    // /proc/stat adds up every core's idle ticks, so this is in cores too.
    idle: cores(after.machineIdle - before.machineIdle),
  };
}
