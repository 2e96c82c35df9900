import { afterAll, describe, expect, it, vi } from "vitest";
import { startDemoModeIfEnabled } from "@/server/demo/demo-mode";
import { isDemoActive } from "@/server/subscriptions/demo-state";
import { createExclusiveRunner, EXCLUSIVE_JOBS } from "@/server/timers/leader-lock";

vi.hoisted(() => {
  // Forced on, so only the one-instance rule can keep it off.
  process.env.RXWATCH_DEMO = "1";
  process.env.RXWATCH_DEMO_EMULATOR_PORT = "0";
});

const otherInstance = createExclusiveRunner(process.env.DATABASE_URL ?? "");

afterAll(async () => {
  await otherInstance.release();
});

describe("demo mode with several instances", () => {
  it("stays off on an instance while another instance sharing the database runs the demo", async () => {
    expect((await otherInstance.runExclusive(EXCLUSIVE_JOBS.demoMode, async () => "leading")).ran).toBe(true);
    expect(await startDemoModeIfEnabled()).toEqual({ isOn: false, isDemoAdminCreated: false });
    expect(await isDemoActive()).toBe(false);
  });
});
