import { describe, expect, it } from "vitest";
import { createWriteGate } from "@/server/core/write-gate";

/* Two gates on one buffer stand for the two threads that share it. */

describe("the write gate", () => {
  it("lets one holder in at a time, in the order they asked, across gates sharing a buffer", async () => {
    const main = createWriteGate();
    const processing = createWriteGate(main.buffer);
    const entered: string[] = [];
    const leaveFirst = await main.acquire();
    const second = processing.acquire().then((leave) => {
      entered.push("processing");
      return leave;
    });
    const third = main.acquire().then((leave) => {
      entered.push("main again");
      return leave;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(entered).toEqual([]);
    leaveFirst();
    const leaveSecond = await second;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(entered).toEqual(["processing"]);
    leaveSecond();
    (await third)();
    expect(entered).toEqual(["processing", "main again"]);
  });

  it("gives a turn back once, however often its release is called", async () => {
    const gate = createWriteGate();
    const leave = await gate.acquire();
    const waiting = gate.acquire();
    leave();
    leave();
    const leaveNext = await waiting;
    let isThirdIn = false;
    const third = gate.acquire().then((leaveThird) => {
      isThirdIn = true;
      leaveThird();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(isThirdIn).toBe(false);
    leaveNext();
    await third;
    expect(isThirdIn).toBe(true);
  });

  it("ends every wait once closed (the thread holding a turn is gone)", async () => {
    const main = createWriteGate();
    const processing = createWriteGate(main.buffer);
    await processing.acquire();
    const waiting = main.acquire();
    main.close();
    const leave = await waiting;
    leave();
    await expect(main.acquire()).resolves.toBeTypeOf("function");
  });
});
