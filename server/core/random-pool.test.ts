import { describe, expect, it } from "vitest";
import { pooledRandomBytes } from "./random-pool";

describe("pooledRandomBytes", () => {
  it("never hands out the same bytes twice, across many refills of the pool", () => {
    // 16-byte draws (an id) and 12-byte draws (an IV) interleaved, so draws straddle the pool's end.
    const seen = new Set<string>();
    for (let draw = 0; draw < 20_000; draw += 1) {
      const bytes = pooledRandomBytes(draw % 2 === 0 ? 16 : 12);
      seen.add(bytes.toString("hex"));
    }
    expect(seen.size).toBe(20_000);
  });

  it("returns buffers of their own: changing one leaves the next draw alone", () => {
    const first = pooledRandomBytes(16);
    const copy = Buffer.from(first);
    first.fill(0);
    const second = pooledRandomBytes(16);
    expect(second.equals(Buffer.alloc(16))).toBe(false);
    expect(second.equals(copy)).toBe(false);
    expect(copy.equals(Buffer.alloc(16))).toBe(false);
    expect(first.buffer === second.buffer && first.byteOffset === second.byteOffset).toBe(false);
  });

  it("gives 4096 bytes at most, and says so", () => {
    expect(pooledRandomBytes(4096)).toHaveLength(4096);
    expect(pooledRandomBytes(0)).toHaveLength(0);
    expect(() => pooledRandomBytes(4097)).toThrow(RangeError);
    expect(() => pooledRandomBytes(-1)).toThrow(RangeError);
  });

  it("looks random: every byte value turns up in 64 KiB", () => {
    const counts = new Array<number>(256).fill(0);
    for (let draw = 0; draw < 4096; draw += 1) for (const byte of pooledRandomBytes(16)) counts[byte] = (counts[byte] ?? 0) + 1;
    // 65,536 bytes: each value is expected 256 times; fewer than 128 would be a broken source (p far below 1e-9).
    expect(Math.min(...counts)).toBeGreaterThan(128);
  });
});
