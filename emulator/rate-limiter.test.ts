import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("RateLimiter", () => {
  it("admits 10 requests in a second and refuses the 11th with Retry-After 1", () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 10, perMinute: 600 }, time.now);
    for (let index = 0; index < 10; index += 1) expect(limiter.check("k").allowed).toBe(true);
    expect(limiter.check("k")).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it("admits again once the oldest request leaves the one-second window", () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 10, perMinute: 600 }, time.now);
    for (let index = 0; index < 10; index += 1) limiter.check("k");
    time.advance(999);
    expect(limiter.check("k").allowed).toBe(false);
    time.advance(1);
    expect(limiter.check("k").allowed).toBe(true);
  });

  it("does not count refused requests, so a client that waits as told gets through", () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 2, perMinute: 600 }, time.now);
    limiter.check("k");
    limiter.check("k");
    for (let index = 0; index < 50; index += 1) expect(limiter.check("k").allowed).toBe(false);
    time.advance(1_000);
    expect(limiter.check("k").allowed).toBe(true);
  });

  it("enforces the per-minute limit with a Retry-After until the oldest request leaves the minute", () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 100, perMinute: 20 }, time.now);
    for (let index = 0; index < 20; index += 1) expect(limiter.check("k").allowed).toBe(true);
    expect(limiter.check("k")).toEqual({ allowed: false, retryAfterSeconds: 60 });
    time.advance(30_000);
    expect(limiter.check("k")).toEqual({ allowed: false, retryAfterSeconds: 30 });
    time.advance(30_000);
    expect(limiter.check("k").allowed).toBe(true);
  });

  it("counts each key separately", () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 1, perMinute: 600 }, time.now);
    expect(limiter.check("a").allowed).toBe(true);
    expect(limiter.check("a").allowed).toBe(false);
    expect(limiter.check("b").allowed).toBe(true);
  });
});
