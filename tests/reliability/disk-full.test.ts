import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collectFigures, DRAIN_TIMEOUT_MS, drainEmulator, drainProcessing, KNOBS, report, rxwatchServer, sleep, sqliteDatabase, startLoad, waitUntil, expectNothingLostOrDoubled } from "./harness";

/*
 * The SQLite file's disk fills up under load. The database lives on its own
 * small tmpfs, and a filler file takes every free byte: writes then fail
 * with ENOSPC for everyone, root included — unlike chmod (root ignores
 * permissions, and an open descriptor keeps its write access anyway) or a
 * read-only remount (refused with EBUSY while the file is open for writing).
 * Ingest must answer 5xx with a log line that names the cause, and recover
 * once the filler is deleted, without losing anything it acknowledged.
 */

const TMPFS_SIZE = "64m";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => {});
});

/** Mounts a size-limited tmpfs; null where mounting is not allowed (not root, or a container without CAP_SYS_ADMIN). */
function mountSmallFilesystem(): string | null {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rxwatch-disk-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_SIZE},mode=0755`, "tmpfs", dir], { stdio: "pipe" });
    return dir;
  } catch {
    rmdirSync(dir);
    return null;
  }
}

/** Writes a file until the filesystem has no byte left. */
function fillUp(file: string): void {
  const descriptor = openSync(file, "w");
  try {
    for (const chunkSize of [1024 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(chunkSize, 0xa5);
      for (;;) {
        try {
          writeSync(descriptor, chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(descriptor);
  }
}

describe("disk full under the SQLite file", () => {
  it("answers 5xx with a log line naming the cause, recovers once space returns, and loses nothing acknowledged", async (context) => {
    const mountPoint = mountSmallFilesystem();
    if (mountPoint === null) return context.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN); see docs/reliability.md");
    cleanups.push(() => {
      execFileSync("umount", ["-l", mountPoint]);
      rmdirSync(mountPoint);
    });
    const database = sqliteDatabase(mountPoint);
    const server = await rxwatchServer(database.url);
    cleanups.push(() => server.stop());
    const emulator = await startLoad(server.webhookUrl);
    cleanups.push(() => emulator.stop());

    await sleep(3_000);
    const filler = path.join(mountPoint, "filler");
    fillUp(filler);
    const fullAt = Date.now();
    const refusedSinceFull = () => emulator.deliveries().flatMap((record) => record.attempts).filter((attempt) => attempt.status_code === 503 && Date.parse(attempt.started_at) >= fullAt).length;
    // SQLite overwrites WAL frames it already has before it needs a new block, so the first refusal can take a moment.
    await waitUntil("ingest to refuse a delivery on the full disk", () => refusedSinceFull() > 0, DRAIN_TIMEOUT_MS);
    await sleep(KNOBS.diskFullSeconds * 1_000);
    rmSync(filler);
    const freedAt = Date.now();
    await waitUntil(
      "ingest to acknowledge again after space returned",
      () => emulator.deliveries().some((record) => record.attempts.some((attempt) => attempt.outcome === "delivered" && Date.parse(attempt.started_at) >= freedAt)),
      DRAIN_TIMEOUT_MS,
    );
    await sleep(2_000);
    await drainEmulator(emulator);
    await drainProcessing(database);

    const figures = await collectFigures(emulator, database);
    report("disk-full", figures, { "503 while the disk was full": refusedSinceFull() });

    expect(figures.answered5xx).toBeGreaterThan(0);
    expectNothingLostOrDoubled(figures);
    // One log line names both what failed and why (field order is the logger's business).
    expect(server.output().split("\n").some((line) => line.includes("could not store a webhook delivery") && line.includes("SQLITE_FULL"))).toBe(true);
  });
});
