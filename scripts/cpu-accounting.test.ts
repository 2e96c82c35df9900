import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { coresBetween, machineIdleTicksOf, readCpu, threadTicksOf } from "./cpu-accounting.mjs";

// A thread's stat line as Linux writes it: utime 4242 and stime 317 are fields 14 and 15; the name holds a space and parentheses.
const STAT_LINE =
  "32608 (next-server (v1) S 32597 32584 31990 34816 32584 4194304 91733 0 12 0 4242 317 0 0 20 0 12 0 1838362 1425829888 74528 18446744073709551615 1 1 0 0 0 0 0 16781312 134234626 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";

const PROC_STAT = `cpu  3357 0 4313 1362393 410 0 55 0 0 0
cpu0 1681 0 2152 681197 205 0 27 0 0 0
cpu1 1676 0 2161 681196 205 0 28 0 0 0
intr 114930548 113199788 3 0 5 263 0 4 0 1 0 0 0 16 0 0 0
ctxt 1990473
`;

describe("threadTicksOf", () => {
  it("adds user and system ticks, counting fields after the thread's name even when the name holds spaces and parentheses", () => {
    expect(threadTicksOf(STAT_LINE)).toBe(4242 + 317);
  });

  it("refuses a line that is not a stat line", () => {
    expect(() => threadTicksOf("no such thing")).toThrow(/not a \/proc stat line/);
  });
});

describe("machineIdleTicksOf", () => {
  it("counts idle and I/O wait of all cores together from the first line", () => {
    expect(machineIdleTicksOf(PROC_STAT)).toBe(1362393 + 410);
  });

  it("refuses text without the cpu line", () => {
    expect(() => machineIdleTicksOf("intr 1 2 3\n")).toThrow(/no cpu line/);
  });
});

describe("coresBetween", () => {
  const pid = 100;
  const before = { atMs: 1_000, threads: new Map([[100, 1_000], [101, 500], [102, 40]]), machineIdle: 10_000, ownMicros: 2_000_000 };
  // Two seconds later: the main thread used 150 ticks, thread 101 100, thread 102 ended, thread 103 was born with 30.
  const after = { atMs: 3_000, threads: new Map([[100, 1_150], [101, 600], [103, 30]]), machineIdle: 10_040, ownMicros: 2_500_000 };

  it("splits the cores kept busy into the main thread (id = process id), the other threads, this process and idle", () => {
    const cores = coresBetween(before, after, pid);
    expect(cores?.mainThread).toBeCloseTo(0.75, 10);
    expect(cores?.otherThreads).toBeCloseTo(0.65, 10);
    expect(cores?.loadGenerator).toBeCloseTo(0.25, 10);
    expect(cores?.idle).toBeCloseTo(0.2, 10);
  });

  it("gives nothing without both readings", () => {
    expect(coresBetween(null, after, pid)).toBeNull();
    expect(coresBetween(before, null, pid)).toBeNull();
    expect(coresBetween(before, after, undefined)).toBeNull();
  });
});

describe("readCpu", () => {
  it.runIf(process.platform === "linux")("puts a busy worker thread's CPU under the other threads, not the main thread", async () => {
    const before = readCpu(process.pid);
    // The worker spins for 400 ms, then waits to be let go, so it is still there (with its ticks) at the second reading.
    const release = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       const end = performance.now() + 400; while (performance.now() < end) {}
       parentPort.postMessage("spun"); Atomics.wait(workerData, 0, 0);`,
      { eval: true, workerData: release },
    );
    await new Promise((resolve, reject) => worker.once("message", resolve).once("error", reject));
    const cores = coresBetween(before, readCpu(process.pid), process.pid);
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
    await new Promise((resolve) => worker.once("exit", resolve));
    expect(cores).not.toBeNull();
    expect(cores?.otherThreads).toBeGreaterThan(cores?.mainThread ?? Infinity);
  });

  it("is null for a process that does not exist", () => {
    expect(readCpu(2 ** 22 + 1)).toBeNull();
    expect(readCpu(undefined)).toBeNull();
  });
});
