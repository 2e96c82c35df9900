import { describe, expect, it } from "vitest";
import { eventNameSettingsSchema } from "@/lib/settings";
import { CHAOS_FAULTS, DEFAULT_API_KEYS, EMULATOR_VARIABLES, NO_FAULTS, flagName, parseApiKeys, parseEmulatorCli, parseFaultSpec, resolveEmulatorConfig } from "./config";
import { DEFAULT_EVENT_NAMES } from "./event-names";

function options(argv: string[], environment: Record<string, string> = {}) {
  const result = parseEmulatorCli(argv, environment);
  if (result.kind !== "options") throw new Error("expected options");
  return result.options;
}

describe("emulator configuration", () => {
  it("defaults to port 4010 on loopback, ~6 orders a minute, faults off, retries 1 s ×2 for 8 attempts, 5 s timeout", () => {
    const config = resolveEmulatorConfig();
    expect(config).toMatchObject({ host: "127.0.0.1", port: 4010, ordersPerMinute: 6, deliveryTimeoutMs: 5_000, retryBaseMs: 1_000, retryFactor: 2, retryMaxAttempts: 8, allowHttpTargets: "loopback", returnSigningSecret: true });
    expect(config.resolvedFaults).toEqual(NO_FAULTS);
    expect(config.apiKeys).toEqual(DEFAULT_API_KEYS);
    expect(config.resolvedEventNames).toEqual(DEFAULT_EVENT_NAMES);
  });

  it("uses the same default event names as RxWatch's settings, so the demo needs no configuration", () => {
    const rxwatch = eventNameSettingsSchema.parse({});
    expect(DEFAULT_EVENT_NAMES).toMatchObject(rxwatch);
  });

  it("reads EMULATOR_* variables and lets flags win", () => {
    const parsed = options(["--port", "5000", "--orders-per-minute=12"], { EMULATOR_PORT: "4020", EMULATOR_STEP_DELAY_MS: "500", EMULATOR_RETURN_SIGNING_SECRET: "0" });
    expect(parsed).toMatchObject({ port: 5000, ordersPerMinute: 12, stepDelayMs: 500, returnSigningSecret: false });
  });

  it("turns on every fault with the chaos preset, and lets explicit rates adjust it", () => {
    expect(resolveEmulatorConfig(options(["--preset", "chaos"])).resolvedFaults).toEqual(CHAOS_FAULTS);
    const adjusted = resolveEmulatorConfig(options(["--faults", "chaos"], { EMULATOR_FAULTS: "duplicate=0.5" }));
    expect(adjusted.resolvedFaults).toEqual(CHAOS_FAULTS);
    expect(resolveEmulatorConfig(options([], { EMULATOR_PRESET: "chaos", EMULATOR_FAULTS: "duplicate=0.5" })).resolvedFaults).toEqual({ ...CHAOS_FAULTS, duplicate: 0.5 });
    expect(parseFaultSpec("off")).toEqual({ preset: "default", faults: {} });
  });

  it("parses API keys with permissions as shorthands or RxScale's names", () => {
    expect(parseApiKeys("admin, reader=read ,writer=notification_subscription:write, nobody=none")).toEqual([
      { key: "admin", permissions: ["notification_subscription:read", "notification_subscription:write", "order:read", "prescription:read"] },
      { key: "reader", permissions: ["notification_subscription:read"] },
      { key: "writer", permissions: ["notification_subscription:write"] },
      { key: "nobody", permissions: [] },
    ]);
    expect(() => parseApiKeys("k=admin")).toThrow(/unknown permission "admin"/);
  });

  it("names every bad setting at once, with its variable and flag", () => {
    let message = "";
    try {
      parseEmulatorCli(["--port", "x", "--bogus"], { EMULATOR_FAULTS: "duplicate=2", EMULATOR_ALLOW_HTTP_TARGETS: "sometimes" });
    } catch (error) {
      message = error instanceof Error ? error.message : "";
    }
    expect(message).toContain("--bogus: unknown option");
    expect(message).toContain("EMULATOR_PORT / --port: must be an integer");
    expect(message).toContain("EMULATOR_FAULTS / --faults: duplicate needs a rate between 0 and 1");
    expect(message).toContain("EMULATOR_ALLOW_HTTP_TARGETS / --allow-http-targets:");
  });

  it("prints help listing every variable and its flag", () => {
    const help = parseEmulatorCli(["--help"], {});
    expect(help.kind).toBe("help");
    if (help.kind === "help") for (const variable of Object.keys(EMULATOR_VARIABLES)) expect(help.text).toContain(`${flagName(variable)}`);
  });

  it("subscribes a --target to every generated event type", () => {
    expect(options(["--target", "http://localhost:3000/api/webhooks/rxscale", "--signing-secret", "whsec_x"])).toMatchObject({ target: "http://localhost:3000/api/webhooks/rxscale", signingSecret: "whsec_x" });
  });
});
