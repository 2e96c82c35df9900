import { describe, expect, it } from "vitest";
import { decideDemoMode, type DemoDecisionInput } from "./decision";

const fresh: DemoDecisionInput = { setting: "auto", nodeEnv: "production", hasApiKey: false, isDemoActive: false };

describe("decideDemoMode", () => {
  it("turns demo mode on for an instance that has never stored an RxScale API key", () => {
    expect(decideDemoMode(fresh)).toEqual({ isOn: true, reason: "no_api_key" });
    expect(decideDemoMode({ ...fresh, nodeEnv: "development" }).isOn).toBe(true);
  });

  it("keeps demo mode on across restarts although the demo stored its own key", () => {
    expect(decideDemoMode({ ...fresh, hasApiKey: true, isDemoActive: true })).toEqual({ isOn: true, reason: "demo_active" });
  });

  it("stays off once a real API key was saved", () => {
    expect(decideDemoMode({ ...fresh, hasApiKey: true })).toEqual({ isOn: false, reason: "real_api_key" });
  });

  it("stays off with RXWATCH_DEMO=0 whatever is stored", () => {
    for (const hasApiKey of [false, true]) {
      for (const isDemoActive of [false, true]) {
        expect(decideDemoMode({ ...fresh, setting: "0", hasApiKey, isDemoActive })).toEqual({ isOn: false, reason: "disabled" });
      }
    }
  });

  it("runs with RXWATCH_DEMO=1 even next to a real API key, and in tests", () => {
    expect(decideDemoMode({ ...fresh, setting: "1", hasApiKey: true })).toEqual({ isOn: true, reason: "forced" });
    expect(decideDemoMode({ ...fresh, setting: "1", nodeEnv: "test" })).toEqual({ isOn: true, reason: "forced" });
  });

  it("never starts on its own under NODE_ENV=test", () => {
    expect(decideDemoMode({ ...fresh, nodeEnv: "test" })).toEqual({ isOn: false, reason: "test_environment" });
    expect(decideDemoMode({ ...fresh, nodeEnv: "test", hasApiKey: true, isDemoActive: true })).toEqual({ isOn: false, reason: "test_environment" });
  });
});
