import { describe, expect, it } from "vitest";
import { WINDOW_MARGIN_MS, createRequestBudget } from "./request-budget";

function fakeClock() {
  let time = 1_000_000;
  const sent: number[] = [];
  return {
    now: () => time,
    sleep: async (ms: number) => {
      time += ms;
    },
    sent,
  };
}

describe("createRequestBudget", () => {
  it("never lets more than 10 requests out in any second nor 600 in any minute", async () => {
    const clock = fakeClock();
    const budget = createRequestBudget({ now: clock.now, sleep: clock.sleep });
    const times: number[] = [];
    for (let index = 0; index < 700; index += 1) {
      await budget.take();
      times.push(clock.now());
    }
    for (let index = 10; index < times.length; index += 1) expect((times[index] ?? 0) - (times[index - 10] ?? 0)).toBeGreaterThanOrEqual(1_000);
    for (let index = 600; index < times.length; index += 1) expect((times[index] ?? 0) - (times[index - 600] ?? 0)).toBeGreaterThanOrEqual(60_000);
  });

  it("keeps a margin beyond each window, so uneven network delays cannot put 11 requests into one of RxScale's seconds", async () => {
    const clock = fakeClock();
    const budget = createRequestBudget({ now: clock.now, sleep: clock.sleep });
    const times: number[] = [];
    for (let index = 0; index < 11; index += 1) {
      await budget.take();
      times.push(clock.now());
    }
    expect((times[10] ?? 0) - (times[0] ?? 0)).toBeGreaterThan(1_000);
    expect((times[10] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1_000 + WINDOW_MARGIN_MS);
  });

  it("holds every caller back after a pause (a 429)", async () => {
    const clock = fakeClock();
    const budget = createRequestBudget({ now: clock.now, sleep: clock.sleep });
    const start = clock.now();
    budget.pause(5_000);
    await budget.take();
    expect(clock.now() - start).toBeGreaterThanOrEqual(5_000);
  });

  it("serves concurrent callers one slot each, in call order", async () => {
    const clock = fakeClock();
    const budget = createRequestBudget({ now: clock.now, sleep: clock.sleep, perSecond: 2 });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((index) => budget.take().then(() => order.push(index))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(budget.sentLastMinute).toBe(4);
  });
});
