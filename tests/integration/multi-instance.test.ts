import { afterAll, describe, expect, it, vi } from "vitest";
import { instanceRunners } from "@/tests/support/instances";
import { stopChangePump } from "@/server/live/notices";

/*
 * Several instances on one database, played inside one test process: each
 * ExclusiveRunner stands for one instance's timers (on PostgreSQL each has
 * its own lock connection, exactly as separate processes would). What only
 * PostgreSQL does is in postgresql/multi-instance.test.ts.
 */

const { instance, releaseAll } = instanceRunners();

afterAll(async () => {
  await releaseAll();
  await stopChangePump();
});

/** Lets the event loop run other callbacks, so racing runs really interleave. */
const yieldTurns = async (turns = 5) => {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
};

describe("timers on one instance at a time", () => {
  it("runs each tick once when two instances race the same timer, always on the same leader", async () => {
    const [a, b] = [instance(), instance()];
    const ranOn: string[] = [];
    for (let tick = 0; tick < 6; tick++) {
      const results = await Promise.all(
        (
          [
            ["a", a],
            ["b", b],
          ] as const
        ).map(([name, runner]) =>
          runner.runExclusive("test:race", async () => {
            ranOn.push(name);
            await yieldTurns();
          }),
        ),
      );
      expect(results.filter((result) => result.ran)).toHaveLength(1);
    }
    expect(ranOn).toHaveLength(6);
    expect(new Set(ranOn).size).toBe(1);
  });

  it("hands the timer to another instance when the leader gives up its locks", async () => {
    const [a, b] = [instance(), instance()];
    expect((await a.runExclusive("test:handover", async () => "a")).ran).toBe(true);
    expect((await b.runExclusive("test:handover", async () => "b")).ran).toBe(false);
    await a.release();
    expect(await b.runExclusive("test:handover", async () => "b")).toEqual({ ran: true, value: "b" });
    expect((await a.runExclusive("test:handover", async () => "a")).ran).toBe(false);
  });

  it("never overlaps two runs of one timer on the same instance", async () => {
    const a = instance();
    const gate: { release: (() => void) | null } = { release: null };
    const first = a.runExclusive("test:overlap", () => new Promise<void>((resolve) => (gate.release = resolve)));
    await vi.waitFor(() => expect(gate.release).not.toBeNull());
    expect((await a.runExclusive("test:overlap", async () => undefined)).ran).toBe(false);
    gate.release?.();
    expect((await first).ran).toBe(true);
  });

  it("serializes a job across instances: the second waits for the first instead of interleaving", async () => {
    const [a, b] = [instance(), instance()];
    let active = 0;
    let mostActive = 0;
    const job = async () => {
      active++;
      mostActive = Math.max(mostActive, active);
      await yieldTurns(20);
      active--;
    };
    await Promise.all([a.runSerialized("test:serial", job), b.runSerialized("test:serial", job), a.runSerialized("test:serial", job)]);
    expect(mostActive).toBe(1);
  });
});
