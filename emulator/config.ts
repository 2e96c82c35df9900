import { z } from "zod";
import { DEFAULT_EVENT_NAMES, DEFAULT_UNKNOWN_EVENT_TYPE, EVENT_KEYS, type EventNames } from "./event-names";

/*
 * Every emulator option with its default, and how each is read from the
 * environment (EMULATOR_*) or the command line (--kebab-case, same name
 * without the prefix). The emulator is a separate program from RxWatch, so it
 * reads its own configuration here rather than in server/core/env.ts.
 */

export const PERMISSIONS = ["notification_subscription:read", "notification_subscription:write", "order:read", "prescription:read"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Shape faults change what an event's payload looks like (payload drift, docs/emulator.md#faults). */
export const SHAPE_FAULT_KINDS = ["numeric_payload_version", "string_timestamp", "new_field", "vanished_field", "new_status"] as const;
export const FAULT_KINDS = ["duplicate", "out_of_order", "delayed_retry", "wrong_signature", "malformed_body", "unknown_event_type", ...SHAPE_FAULT_KINDS] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultRates = Record<FaultKind, number>;

const NO_SHAPE_FAULTS = { numeric_payload_version: 0, string_timestamp: 0, new_field: 0, vanished_field: 0, new_status: 0 };

/** Faults are off unless asked for. */
export const NO_FAULTS: FaultRates = { duplicate: 0, out_of_order: 0, delayed_retry: 0, wrong_signature: 0, malformed_body: 0, unknown_event_type: 0, ...NO_SHAPE_FAULTS };

/**
 * The "chaos" preset: every delivery fault now and then, often enough to see each within minutes of demo traffic.
 * Shape faults stay off: a payload change is raised once and stays, so at random it would only be noise.
 */
export const CHAOS_FAULTS: FaultRates = { duplicate: 0.05, out_of_order: 0.05, delayed_retry: 0.05, wrong_signature: 0.02, malformed_body: 0.02, unknown_event_type: 0.02, ...NO_SHAPE_FAULTS };

export const PRESETS = ["default", "chaos"] as const;
export type Preset = (typeof PRESETS)[number];

const rate = z.number().min(0).max(1);
export const faultRatesSchema = z.object({
  duplicate: rate.optional(),
  out_of_order: rate.optional(),
  delayed_retry: rate.optional(),
  wrong_signature: rate.optional(),
  malformed_body: rate.optional(),
  unknown_event_type: rate.optional(),
  numeric_payload_version: rate.optional(),
  string_timestamp: rate.optional(),
  new_field: rate.optional(),
  vanished_field: rate.optional(),
  new_status: rate.optional(),
});
export type PartialFaultRates = z.infer<typeof faultRatesSchema>;

const wireName = z.string().min(1).optional();
const eventNamesSchema = z.object({
  orderCreated: wireName,
  orderUpdated: wireName,
  prescriptionApproved: wireName,
  prescriptionSigned: wireName,
  prescriptionDeclined: wireName,
  pharmacyOrderCreated: wireName,
  pharmacyOrderUpdated: wireName,
});

const apiKeySchema = z.object({ key: z.string().min(1), permissions: z.array(z.enum(PERMISSIONS)) });
export type ApiKey = z.infer<typeof apiKeySchema>;

/** Used when EMULATOR_API_KEYS is not set: one key that may do everything, one that may only read. */
export const DEFAULT_API_KEYS: ApiKey[] = [
  { key: "rxscale-emulator-key", permissions: [...PERMISSIONS] },
  { key: "rxscale-emulator-read-only-key", permissions: ["notification_subscription:read"] },
];

const initialSubscriptionSchema = z.object({
  notification_type: z.string().min(1),
  target: z.url(),
  signing_secret: z.string().min(1).optional(),
});

/** Probabilities of the lifecycle's branches (see lifecycle.ts). */
const branchRatesSchema = z.object({
  declined: rate.default(0.1),
  onHold: rate.default(0.05),
  cancelled: rate.default(0.05),
  /** Share of orders that pass through one of RxScale's problem statuses before going on. */
  problem: rate.default(0),
});
export type BranchRates = z.infer<typeof branchRatesSchema>;

/**
 * The resolved configuration. `startEmulator` takes this schema's input type,
 * so every field is optional there and defaults apply in one place.
 */
export const emulatorConfigSchema = z.object({
  /** Loopback by default. */
  host: z.string().min(1).default("127.0.0.1"),
  /** The bearer token the /_emulator controls require; a random one is made at start when absent (RunningEmulator.controlToken). */
  controlToken: z.string().min(16, "must be at least 16 characters").optional(),
  /** Host names (optionally with :port) the controls answer besides loopback and `host`, e.g. a container's service name. */
  controlHosts: z.array(z.string().min(1)).default([]),
  /** 0 picks a free port (tests). */
  port: z.number().int().min(0).max(65_535).default(4010),
  apiKeys: z.array(apiKeySchema).default(DEFAULT_API_KEYS),
  /** New orders per minute; 0 turns the traffic generator off. */
  ordersPerMinute: z.number().min(0).max(6_000).default(6),
  /** Mean pause between two steps of one order (each pause is drawn between 0.5× and 1.5×). */
  stepDelayMs: z.number().int().min(0).default(4_000),
  branchRates: branchRatesSchema.default({ declined: 0.1, onHold: 0.05, cancelled: 0.05, problem: 0 }),
  /** Orders in flight at most; further new orders wait. Keeps a stalled target from growing memory without bound. */
  maxActiveOrders: z.number().int().min(1).default(500),
  preset: z.enum(PRESETS).default("default"),
  /** Rates on top of the preset's. */
  faults: faultRatesSchema.default({}),
  /** Share of generated events never delivered at all (no attempt, no retry): what reconciliation must find. */
  dropRate: z.number().min(0).max(1).default(0),
  /** Every generated event of this type is never delivered (a subscription lost on RxScale's side). */
  dropEventType: z.string().min(1).nullable().default(null),
  /**
   * Deletes every subscription of this type `deleteSubscriptionAfterMs` after start, without telling the
   * receiver (a subscription removed on RxScale's side, e.g. by another tool); null for none.
   */
  deleteSubscriptionType: z.string().min(1).nullable().default(null),
  deleteSubscriptionAfterMs: z.number().int().min(0).default(120_000),
  /** Longest an out-of-order event is held back when its successor never comes. */
  outOfOrderHoldMaxMs: z.number().int().min(0).default(15_000),
  /** Reproducible runs: same seed, same orders, branches and faults. */
  seed: z.number().int().optional(),
  /**
   * RxScale requires https targets (docs/rxscale.md#request-and-headers). `loopback` also allows
   * http to localhost/127.0.0.0/8/::1 for demos and tests; `always` allows any
   * http target (e.g. another container); `never` is RxScale's rule.
   */
  allowHttpTargets: z.enum(["loopback", "always", "never"]).default("loopback"),
  /** false mimics the Management API example that omits signing_secret from the 201 (docs/rxscale.md#signing-secrets). */
  returnSigningSecret: z.boolean().default(true),
  /** RxScale sends a test event after registration (docs/rxscale.md#delivery-and-retries). */
  testOnCreate: z.boolean().default(true),
  /** …this long after the 201, so the receiver can store the secret first. */
  testOnCreateDelayMs: z.number().int().min(0).default(1_000),
  /** RxScale asks receivers to answer within 5 s (docs/rxscale.md#delivery-and-retries). */
  deliveryTimeoutMs: z.number().int().min(1).default(5_000),
  retryBaseMs: z.number().int().min(0).default(1_000),
  retryFactor: z.number().min(1).default(2),
  /** Attempts per delivery, the first included. */
  retryMaxAttempts: z.number().int().min(1).max(100).default(8),
  retryMaxDelayMs: z.number().int().min(0).default(60_000),
  /** Accept self-signed certificates on https targets. */
  insecureTls: z.boolean().default(false),
  /** docs/rxscale.md#rate-limits. */
  rateLimitPerSecond: z.number().int().min(1).default(10),
  rateLimitPerMinute: z.number().int().min(1).default(600),
  /** Deliveries kept for GET /_emulator/deliveries (unsettled ones are always kept). */
  deliveryLogSize: z.number().int().min(1).default(1_000),
  /** On stop, how long in-flight attempts may finish; whatever is still open is reported as abandoned. */
  shutdownGraceMs: z.number().int().min(0).default(5_000),
  eventNames: eventNamesSchema.default({}),
  unknownEventType: z.string().min(1).default(DEFAULT_UNKNOWN_EVENT_TYPE),
  /** Subscriptions that exist from the start (RxScale state the emulator "already has"). */
  subscriptions: z.array(initialSubscriptionSchema).default([]),
  /** Shortcut: subscribe this target to every event type the generator sends. */
  target: z.url().optional(),
  /** Secret for the start-up subscriptions that name none; random when unset. */
  signingSecret: z.string().min(1).optional(),
  logLevel: z.enum(["silent", "info", "debug"]).default("info"),
  /** Appends each made-up patient's name, e-mail and birth date to this file (JSON lines), for the test suite's log scan. */
  patientsFile: z.string().min(1).optional(),
});

export type EmulatorOptions = z.input<typeof emulatorConfigSchema>;
export type EmulatorSettings = z.output<typeof emulatorConfigSchema>;

/** The settings plus what is derived from them once. */
export interface EmulatorConfig extends EmulatorSettings {
  resolvedFaults: FaultRates;
  resolvedEventNames: EventNames;
}

/** Applies defaults, the preset and the event-name overrides. Throws a readable error for a bad option. */
export function resolveEmulatorConfig(options: EmulatorOptions = {}): EmulatorConfig {
  const parsed = emulatorConfigSchema.safeParse(options);
  if (!parsed.success) throw new Error(`Invalid emulator options:\n${formatIssues(parsed.error)}`);
  const settings = parsed.data;
  const base = settings.preset === "chaos" ? CHAOS_FAULTS : NO_FAULTS;
  const resolvedEventNames: EventNames = { ...DEFAULT_EVENT_NAMES };
  for (const key of EVENT_KEYS) resolvedEventNames[key] = settings.eventNames[key] ?? DEFAULT_EVENT_NAMES[key];
  return { ...settings, resolvedFaults: mergeFaultRates(base, settings.faults), resolvedEventNames };
}

/** `base` with every rate `patch` names replaced. */
export function mergeFaultRates(base: FaultRates, patch: PartialFaultRates): FaultRates {
  const merged: FaultRates = { ...base };
  for (const kind of FAULT_KINDS) merged[kind] = patch[kind] ?? base[kind];
  return merged;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  ${issue.path.join(".") || "(options)"}: ${issue.message}`).join("\n");
}

// ---------------------------------------------------------------------------
// Environment variables and command-line flags
// ---------------------------------------------------------------------------

const integer = z.string().trim().regex(/^-?\d+$/, "must be an integer").transform(Number);
const decimal = z.string().trim().regex(/^\d+(\.\d+)?$/, "must be a non-negative number").transform(Number);
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["1", "0", "true", "false", "yes", "no", "on", "off"]))
  .transform((value) => ["1", "true", "yes", "on"].includes(value));

const PERMISSION_SHORTHANDS: Record<string, Permission[]> = {
  read: ["notification_subscription:read"],
  write: ["notification_subscription:write"],
  orders: ["order:read", "prescription:read"],
  all: [...PERMISSIONS],
  none: [],
};

/**
 * `key1,key2=read,key3=read+write,key4=none`: a key alone may do everything;
 * after `=`, permissions joined by `+`, as shorthands or RxScale's full names.
 */
export function parseApiKeys(value: string): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const entry of value.split(",").map((item) => item.trim()).filter(Boolean)) {
    const separator = entry.indexOf("=");
    const key = separator === -1 ? entry : entry.slice(0, separator).trim();
    const spec = separator === -1 ? "all" : entry.slice(separator + 1).trim();
    const permissions = new Set<Permission>();
    for (const word of spec.split("+").map((item) => item.trim()).filter(Boolean)) {
      const fullName = PERMISSIONS.find((permission) => permission === word);
      const known = PERMISSION_SHORTHANDS[word] ?? (fullName ? [fullName] : undefined);
      if (!known) throw new Error(`unknown permission "${word}" (use read, write, all, none or ${PERMISSIONS.join(", ")})`);
      for (const permission of known) permissions.add(permission);
    }
    if (key === "") throw new Error("an API key is empty");
    keys.push({ key, permissions: [...permissions] });
  }
  if (keys.length === 0) throw new Error("lists no key");
  return keys;
}

/** `off` | `chaos` | `duplicate=0.1,out_of_order=0.05` (rates between 0 and 1). */
export function parseFaultSpec(value: string): { preset?: Preset; faults: PartialFaultRates } {
  const text = value.trim();
  if (text === "" || text === "off" || text === "none") return { preset: "default", faults: {} };
  if (text === "chaos") return { preset: "chaos", faults: {} };
  const faults: PartialFaultRates = {};
  for (const entry of text.split(",").map((item) => item.trim()).filter(Boolean)) {
    const [name = "", rateText = ""] = entry.split("=").map((item) => item.trim());
    const kind = FAULT_KINDS.find((candidate) => candidate === name);
    if (!kind) throw new Error(`unknown fault "${name}" (known: ${FAULT_KINDS.join(", ")})`);
    const parsedRate = Number(rateText);
    if (rateText === "" || !Number.isFinite(parsedRate) || parsedRate < 0 || parsedRate > 1) throw new Error(`${name} needs a rate between 0 and 1`);
    faults[kind] = parsedRate;
  }
  return { faults };
}

/** `orderCreated=order.created,prescriptionSigned=prescription.signed`. */
export function parseEventNames(value: string): Partial<EventNames> {
  const names: Partial<EventNames> = {};
  for (const entry of value.split(",").map((item) => item.trim()).filter(Boolean)) {
    const [key = "", name = ""] = entry.split("=").map((item) => item.trim());
    const eventKey = EVENT_KEYS.find((candidate) => candidate === key);
    if (!eventKey) throw new Error(`unknown event "${key}" (known: ${EVENT_KEYS.join(", ")})`);
    if (name === "") throw new Error(`${key} needs a wire name`);
    names[eventKey] = name;
  }
  return names;
}

interface VariableSpec {
  help: string;
  /** The options this value sets; throws with a short reason when the value is bad. */
  toOptions: (value: string) => EmulatorOptions;
}

function using<T>(schema: z.ZodType<T, string>, toOptions: (value: T) => EmulatorOptions): (value: string) => EmulatorOptions {
  return (value) => {
    const result = schema.safeParse(value);
    if (!result.success) throw new Error(result.error.issues[0]?.message ?? "is invalid");
    return toOptions(result.data);
  };
}

const text = z.string().trim().min(1, "must not be empty");
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.string().trim().pipe(z.enum(values));

/** Every variable, in the order docs/emulator.md lists them. The flag is the name without EMULATOR_, in kebab case. */
export const EMULATOR_VARIABLES: Record<string, VariableSpec> = {
  EMULATOR_HOST: { help: "interface to listen on (default 127.0.0.1)", toOptions: using(text, (host) => ({ host })) },
  EMULATOR_PORT: { help: "port (default 4010; 0 = any free port)", toOptions: using(integer, (port) => ({ port })) },
  EMULATOR_CONTROL_TOKEN: { help: "bearer token for the /_emulator controls (at least 16 characters; default: random, printed at start)", toOptions: using(text, (controlToken) => ({ controlToken })) },
  EMULATOR_CONTROL_HOSTS: {
    help: "host names the controls answer besides loopback and EMULATOR_HOST, comma-separated (e.g. emulator,emulator:4010)",
    toOptions: using(text, (value) => ({ controlHosts: value.split(",").map((host) => host.trim()).filter((host) => host !== "") })),
  },
  EMULATOR_API_KEYS: { help: "API keys and permissions: key,key2=read,key3=read+write,key4=none", toOptions: (value) => ({ apiKeys: parseApiKeys(value) }) },
  EMULATOR_ORDERS_PER_MINUTE: { help: "new orders per minute (default 6; 0 = no generated traffic)", toOptions: using(decimal, (ordersPerMinute) => ({ ordersPerMinute })) },
  EMULATOR_STEP_DELAY_MS: { help: "mean pause between an order's steps (default 4000)", toOptions: using(integer, (stepDelayMs) => ({ stepDelayMs })) },
  EMULATOR_DECLINE_RATE: { help: "share of prescriptions declined (default 0.1)", toOptions: using(decimal, (declined) => ({ branchRates: { declined } })) },
  EMULATOR_HOLD_RATE: { help: "share of pharmacy orders put on hold, then resumed (default 0.05)", toOptions: using(decimal, (onHold) => ({ branchRates: { onHold } })) },
  EMULATOR_CANCEL_RATE: { help: "share of pharmacy orders cancelled (default 0.05)", toOptions: using(decimal, (cancelled) => ({ branchRates: { cancelled } })) },
  EMULATOR_PROBLEM_RATE: {
    help: "share of orders that pass through a problem status (waiting for manual input, waiting for payment, out of stock, pharmacy not found, prescription not found) (default 0)",
    toOptions: using(decimal, (problem) => ({ branchRates: { problem } })),
  },
  EMULATOR_PRESET: { help: "default | chaos (chaos turns every fault on at a low rate)", toOptions: using(oneOf(PRESETS), (preset) => ({ preset })) },
  EMULATOR_FAULTS: {
    help: "off | chaos | duplicate=0.1,out_of_order=0.05,delayed_retry=…,wrong_signature=…,malformed_body=…,unknown_event_type=…,numeric_payload_version=…,string_timestamp=…,new_field=…,vanished_field=…,new_status=…",
    toOptions: (value) => {
      const spec = parseFaultSpec(value);
      return spec.preset ? { preset: spec.preset, faults: spec.faults } : { faults: spec.faults };
    },
  },
  EMULATOR_DROP_RATE: { help: "share of generated events never delivered at all, no retry (default 0)", toOptions: using(decimal, (dropRate) => ({ dropRate })) },
  EMULATOR_DROP_EVENT_TYPE: { help: "never deliver any generated event of this type", toOptions: using(text, (dropEventType) => ({ dropEventType })) },
  EMULATOR_DELETE_SUBSCRIPTION_TYPE: { help: "delete every subscription of this type a while after start, telling nobody (a deleted subscription)", toOptions: using(text, (deleteSubscriptionType) => ({ deleteSubscriptionType })) },
  EMULATOR_DELETE_SUBSCRIPTION_AFTER_SECONDS: { help: "…this many seconds after start (default 120)", toOptions: using(integer, (seconds) => ({ deleteSubscriptionAfterMs: seconds * 1000 })) },
  EMULATOR_PATIENTS_FILE: { help: "append every made-up patient (name, e-mail, birth date) to this file as JSON lines (for log scans)", toOptions: using(text, (patientsFile) => ({ patientsFile })) },
  EMULATOR_SEED: { help: "seed for reproducible traffic and faults", toOptions: using(integer, (seed) => ({ seed })) },
  EMULATOR_ALLOW_HTTP_TARGETS: {
    help: "loopback (default) | always | never: which http:// targets are accepted (RxScale requires https)",
    toOptions: using(oneOf(["loopback", "always", "never"]), (allowHttpTargets) => ({ allowHttpTargets })),
  },
  EMULATOR_RETURN_SIGNING_SECRET: { help: "1 (default) | 0: include signing_secret in the 201 of a create", toOptions: using(flag, (returnSigningSecret) => ({ returnSigningSecret })) },
  EMULATOR_TEST_ON_CREATE: { help: "1 (default) | 0: send a test delivery after each create", toOptions: using(flag, (testOnCreate) => ({ testOnCreate })) },
  EMULATOR_TEST_ON_CREATE_DELAY_MS: { help: "pause before that test delivery (default 1000)", toOptions: using(integer, (testOnCreateDelayMs) => ({ testOnCreateDelayMs })) },
  EMULATOR_DELIVERY_TIMEOUT_MS: { help: "an attempt without an answer by then failed (default 5000)", toOptions: using(integer, (deliveryTimeoutMs) => ({ deliveryTimeoutMs })) },
  EMULATOR_RETRY_BASE_MS: { help: "delay after the first failed attempt (default 1000)", toOptions: using(integer, (retryBaseMs) => ({ retryBaseMs })) },
  EMULATOR_RETRY_FACTOR: { help: "each further delay is this many times longer (default 2)", toOptions: using(decimal, (retryFactor) => ({ retryFactor })) },
  EMULATOR_RETRY_MAX_ATTEMPTS: { help: "attempts per delivery, the first included (default 8)", toOptions: using(integer, (retryMaxAttempts) => ({ retryMaxAttempts })) },
  EMULATOR_RETRY_MAX_DELAY_MS: { help: "no delay between attempts is longer (default 60000)", toOptions: using(integer, (retryMaxDelayMs) => ({ retryMaxDelayMs })) },
  EMULATOR_OUT_OF_ORDER_HOLD_MAX_MS: { help: "longest an out-of-order event waits for its successor (default 15000)", toOptions: using(integer, (outOfOrderHoldMaxMs) => ({ outOfOrderHoldMaxMs })) },
  EMULATOR_INSECURE_TLS: { help: "1 | 0 (default): accept self-signed certificates of https targets", toOptions: using(flag, (insecureTls) => ({ insecureTls })) },
  EMULATOR_RATE_LIMIT_PER_SECOND: { help: "Management API requests per key per second (default 10)", toOptions: using(integer, (rateLimitPerSecond) => ({ rateLimitPerSecond })) },
  EMULATOR_RATE_LIMIT_PER_MINUTE: { help: "…and per minute (default 600)", toOptions: using(integer, (rateLimitPerMinute) => ({ rateLimitPerMinute })) },
  EMULATOR_DELIVERY_LOG_SIZE: { help: "deliveries kept for GET /_emulator/deliveries (default 1000)", toOptions: using(integer, (deliveryLogSize) => ({ deliveryLogSize })) },
  EMULATOR_SHUTDOWN_GRACE_MS: { help: "on stop, time for in-flight attempts to finish (default 5000)", toOptions: using(integer, (shutdownGraceMs) => ({ shutdownGraceMs })) },
  EMULATOR_EVENT_NAMES: { help: `wire-name overrides: orderCreated=…,orderUpdated=…,… (keys: ${EVENT_KEYS.join(", ")})`, toOptions: (value) => ({ eventNames: parseEventNames(value) }) },
  EMULATOR_UNKNOWN_EVENT_TYPE: { help: `event type sent by the unknown_event_type fault (default ${DEFAULT_UNKNOWN_EVENT_TYPE})`, toOptions: using(text, (unknownEventType) => ({ unknownEventType })) },
  EMULATOR_TARGET: { help: "subscribe this URL to every generated event type at start-up", toOptions: using(text, (target) => ({ target })) },
  EMULATOR_SIGNING_SECRET: { help: "signing secret of those start-up subscriptions (random when unset)", toOptions: using(text, (signingSecret) => ({ signingSecret })) },
  EMULATOR_LOG: { help: "silent | info (default) | debug", toOptions: using(oneOf(["silent", "info", "debug"]), (logLevel) => ({ logLevel })) },
};

/** `patch` over `options`; the nested rate and name tables are merged one level deep. */
export function mergeOptions(options: EmulatorOptions, patch: EmulatorOptions): EmulatorOptions {
  return {
    ...options,
    ...patch,
    branchRates: { ...options.branchRates, ...patch.branchRates },
    faults: { ...options.faults, ...patch.faults },
    eventNames: { ...options.eventNames, ...patch.eventNames },
  };
}

/** `EMULATOR_ORDERS_PER_MINUTE` → `--orders-per-minute`. */
export function flagName(variable: string): string {
  return `--${variable.replace(/^EMULATOR_/, "").toLowerCase().replaceAll("_", "-")}`;
}

const VARIABLE_BY_FLAG = new Map(Object.keys(EMULATOR_VARIABLES).map((variable) => [flagName(variable), variable]));

export type CliResult = { kind: "help"; text: string } | { kind: "options"; options: EmulatorOptions };

/**
 * Reads EMULATOR_* variables, then command-line flags (`--port 4011` or
 * `--port=4011`; flags win). Throws one error naming every bad setting.
 */
export function parseEmulatorCli(argv: readonly string[], environment: Record<string, string | undefined>): CliResult {
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "help", text: helpText() };
  const values = new Map<string, string>();
  for (const variable of Object.keys(EMULATOR_VARIABLES)) {
    const value = environment[variable];
    if (value !== undefined && value.trim() !== "") values.set(variable, value);
  }
  const problems: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? "";
    const [name = "", inline] = argument.startsWith("--") && argument.includes("=") ? [argument.slice(0, argument.indexOf("=")), argument.slice(argument.indexOf("=") + 1)] : [argument, undefined];
    const variable = VARIABLE_BY_FLAG.get(name);
    if (!variable) {
      problems.push(`  ${argument}: unknown option (see --help)`);
      continue;
    }
    const value = inline ?? argv[index + 1];
    if (inline === undefined) index += 1;
    if (value === undefined) problems.push(`  ${name}: needs a value`);
    else values.set(variable, value);
  }
  let options: EmulatorOptions = {};
  for (const [variable, value] of values) {
    const spec = EMULATOR_VARIABLES[variable];
    if (!spec) continue;
    try {
      options = mergeOptions(options, spec.toOptions(value));
    } catch (error) {
      problems.push(`  ${variable} / ${flagName(variable)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length > 0) throw new Error(`Invalid emulator configuration:\n${problems.join("\n")}`);
  resolveEmulatorConfig(options);
  return { kind: "options", options };
}

function helpText(): string {
  const lines = Object.entries(EMULATOR_VARIABLES).map(([variable, spec]) => `  ${flagName(variable).padEnd(30)} ${variable.padEnd(34)} ${spec.help}`);
  return ["npm run emulator -- [options]   (every option can also be set as the environment variable shown)", "", ...lines, "", "See docs/emulator.md."].join("\n");
}
