import "server-only";

export type DemoSetting = "auto" | "0" | "1";

export interface DemoDecisionInput {
  /** RXWATCH_DEMO. */
  setting: DemoSetting;
  nodeEnv: "development" | "production" | "test";
  /** An RxScale API key is stored (the demo's own key counts too; `isDemoActive` tells them apart). */
  hasApiKey: boolean;
  /** An earlier start left demo mode on and no real key has replaced its key since. */
  isDemoActive: boolean;
}

export type DemoDecision =
  | { isOn: true; reason: "forced" | "no_api_key" | "demo_active" }
  | { isOn: false; reason: "disabled" | "test_environment" | "real_api_key" };

/**
 * Whether this start runs demo mode. `auto` turns it on for an instance that
 * has never been connected to RxScale, and keeps it on across restarts (the
 * demo stores its own key, so "a key is stored" alone would end it after the
 * first start). Saving a real key ends the demo state, and with it demo mode.
 * Tests start the demo explicitly, never through `auto`.
 */
export function decideDemoMode(input: DemoDecisionInput): DemoDecision {
  if (input.setting === "0") return { isOn: false, reason: "disabled" };
  if (input.setting === "1") return { isOn: true, reason: "forced" };
  if (input.nodeEnv === "test") return { isOn: false, reason: "test_environment" };
  if (input.isDemoActive) return { isOn: true, reason: "demo_active" };
  if (!input.hasApiKey) return { isOn: true, reason: "no_api_key" };
  return { isOn: false, reason: "real_api_key" };
}
