import { describe, expect, it, vi } from "vitest";
import { GroupCommitter, MAX_CONSECUTIVE_RETRY_FAILURES } from "./group-commit";

describe("GroupCommitter", () => {
  it("commits items submitted together in one transaction and resolves each with its own result", async () => {
    const commit = vi.fn(async (items: number[]) => items.map((item) => item * 10));
    const committer = new GroupCommitter({ windowMs: 5, maxBatch: 64, commit });
    const results = await Promise.all([1, 2, 3].map((item) => committer.submit(item)));
    expect(results).toEqual([10, 20, 30]);
    expect(commit).toHaveBeenCalledTimes(1);
  });

  it("groups items of the same tick even with a zero window", async () => {
    const commit = vi.fn(async (items: number[]) => items);
    const committer = new GroupCommitter({ windowMs: 0, maxBatch: 64, commit });
    await Promise.all([1, 2, 3, 4].map((item) => committer.submit(item)));
    expect(commit).toHaveBeenCalledTimes(1);
  });

  it("never puts more than maxBatch items in one transaction", async () => {
    const sizes: number[] = [];
    const committer = new GroupCommitter({ windowMs: 1, maxBatch: 4, commit: async (items: number[]) => (sizes.push(items.length), items) });
    await Promise.all(Array.from({ length: 10 }, (_, item) => committer.submit(item)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(10);
  });

  it("runs one transaction at a time and gathers what arrives meanwhile into the next", async () => {
    let active = 0;
    let maxActive = 0;
    const sizes: number[] = [];
    const committer = new GroupCommitter({
      windowMs: 0,
      maxBatch: 100,
      commit: async (items: number[]) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        sizes.push(items.length);
        await new Promise((resolve) => setTimeout(resolve, 20));
        active -= 1;
        return items;
      },
    });
    const first = committer.submit(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rest = Array.from({ length: 9 }, (_, item) => committer.submit(item + 1));
    await Promise.all([first, ...rest]);
    expect(maxActive).toBe(1);
    expect(sizes).toEqual([1, 9]);
  });

  it("runs up to maxInFlight transactions side by side when allowed", async () => {
    let active = 0;
    let maxActive = 0;
    const committer = new GroupCommitter({
      windowMs: 0,
      maxBatch: 2,
      maxInFlight: 2,
      commit: async (items: number[]) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 10));
        active -= 1;
        return items;
      },
    });
    await Promise.all(Array.from({ length: 12 }, (_, item) => committer.submit(item)));
    expect(maxActive).toBe(2);
  });

  it("retries each item of a failed batch on its own, so one bad item fails alone", async () => {
    const failedBatches: number[] = [];
    const committer = new GroupCommitter({
      windowMs: 1,
      maxBatch: 64,
      commit: async (items: string[]) => {
        if (items.includes("poison")) throw new Error("constraint failed");
        return items.map((item) => item.toUpperCase());
      },
      onBatchFailed: (_error, size) => failedBatches.push(size),
    });
    const results = await Promise.allSettled(["a", "poison", "b"].map((item) => committer.submit(item)));
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(results[0]).toMatchObject({ value: "A" });
    expect(results[2]).toMatchObject({ value: "B" });
    expect(failedBatches).toEqual([3]);
  });

  it("stops retrying one by one once the database, not an item, is clearly the problem", async () => {
    let attempts = 0;
    const committer = new GroupCommitter({
      windowMs: 1,
      maxBatch: 64,
      commit: async (): Promise<number[]> => {
        attempts += 1;
        throw new Error("database unavailable");
      },
    });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, item) => committer.submit(item)));
    expect(results.every((result) => result.status === "rejected")).toBe(true);
    expect(attempts).toBe(1 + MAX_CONSECUTIVE_RETRY_FAILURES);
  });

  it("rejects a lone item whose commit fails and keeps serving later ones", async () => {
    let isDown = true;
    const committer = new GroupCommitter({
      windowMs: 0,
      maxBatch: 8,
      commit: async (items: number[]) => {
        if (isDown) throw new Error("database unavailable");
        return items;
      },
    });
    await expect(committer.submit(1)).rejects.toThrow("database unavailable");
    isDown = false;
    await expect(committer.submit(2)).resolves.toBe(2);
  });

  it("treats a commit that returns the wrong number of results as failed", async () => {
    const committer = new GroupCommitter({ windowMs: 0, maxBatch: 8, commit: async () => [] });
    await expect(committer.submit(1)).rejects.toThrow(/0 results for 1 items|no result/);
  });
});
