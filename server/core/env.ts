import "server-only";
import { z } from "zod";
import { parseCidr } from "@/server/core/cidr";
import { isKnownTimeZone } from "@/lib/time";

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** Loopback only: a scraper on the same host (or a sidecar sharing the network namespace). */
export const DEFAULT_METRICS_ALLOW = ["127.0.0.1/32", "::1/128"];

/** Comma-separated CIDRs; unset: `fallback`; set but empty: none. */
const cidrListOr = (fallback: readonly string[]) => z
  .string()
  .optional()
  .transform((value) =>
    value === undefined
      ? [...fallback]
      : value
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean),
  )
  .refine((cidrs) => cidrs.every((cidr) => parseCidr(cidr) !== null), { message: "must be comma-separated CIDRs such as 10.0.0.0/8,::1/128" });

/**
 * Every configuration variable RxWatch reads, with its default. `.env.example`
 * documents the same list; nothing else in the code base reads `process.env`.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .default("file:./data/rxwatch.db")
    .refine((url) => url.startsWith("file:") || /^postgres(ql)?:\/\//.test(url), {
      message: "must start with file: (SQLite) or postgresql:// (PostgreSQL)",
    }),
  /** Port the server listens on; demo mode points the emulator's deliveries at it. */
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  /** Origin at which people and RxScale reach this instance, e.g. https://rxwatch.example.com. */
  RXWATCH_PUBLIC_URL: z.url().optional().or(z.literal("").transform(() => undefined)),
  /** The zone pages show times in until a person picks their own (an IANA name such as Europe/Berlin, or UTC); unset: each browser's zone. */
  RXWATCH_TIMEZONE: optionalString.refine((value) => value === undefined || isKnownTimeZone(value), { message: "must be UTC or an IANA time zone such as Europe/Berlin" }),
  /** Further origins allowed to send state-changing requests (comma-separated). */
  RXWATCH_TRUSTED_ORIGINS: commaList,
  /** Signs sessions and encrypts payload bodies and secrets at rest. With SQLite it is generated into data/ when unset. */
  RXWATCH_SECRET_KEY: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  /**
   * Earlier secret keys (comma-separated), still accepted for opening what they sealed and for matching patient
   * search keys they hashed, until `rxwatch keys rotate` has moved everything to RXWATCH_SECRET_KEY.
   */
  RXWATCH_PREVIOUS_SECRET_KEYS: commaList.pipe(z.array(z.string().min(32, "each key must be at least 32 characters"))),
  RXWATCH_ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  RXWATCH_ADMIN_PASSWORD: optionalString,
  /** A session ends after this long without a request (each request slides it forward)… */
  RXWATCH_SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** …and, however active, this long after sign-in. */
  RXWATCH_SESSION_MAX_HOURS: z.coerce.number().positive().max(24 * 90).default(24),
  RXWATCH_LOGIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  RXWATCH_LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  RXWATCH_MIN_PASSWORD_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
  /** How long a support person's or admin's reveal of one delivery's personal data lasts before it is masked again. */
  RXWATCH_REVEAL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** Failed sign-ins for one email, without a quiet window between them, before that email is locked. */
  RXWATCH_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(5),
  /** The first lock's length; each further failure after a lock doubles it… */
  RXWATCH_LOCKOUT_BASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** …up to this. */
  RXWATCH_LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
  /** Failures are forgotten after this long without one (counted from the end of the last lock). */
  RXWATCH_LOCKOUT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(900),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** auto: readable lines when the output is a terminal, one JSON object per line otherwise. */
  LOG_FORMAT: z.enum(["auto", "json", "pretty"]).default("auto"),

  // --- Operations (docs/operations.md) ---
  /** Bearer token that lets a scraper read GET /api/metrics from anywhere. */
  RXWATCH_METRICS_TOKEN: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  /** Networks that may read GET /api/metrics without the token (comma-separated CIDRs; empty = none). */
  RXWATCH_METRICS_ALLOW: cidrListOr(DEFAULT_METRICS_ALLOW),
  /** Proxies whose X-Forwarded-For/-Host/-Proto are believed (comma-separated CIDRs; default none: the socket peer is the client). */
  RXWATCH_TRUSTED_PROXIES: cidrListOr([]),
  /** On SIGTERM/SIGINT, in-flight work gets this long to finish before the process exits anyway. */
  RXWATCH_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(10 * 60 * 1000).default(10_000),
  /** Next.js's own switch: set (npm start and the Docker image do) so RxWatch, not Next.js, handles SIGTERM/SIGINT and drains first. */
  NEXT_MANUAL_SIG_HANDLE: optionalString,

  // --- Webhook ingest (POST /api/webhooks/rxscale) ---
  /** Signing secrets accepted besides those in the settings store (comma-separated; rotation = list both). */
  RXSCALE_SIGNING_SECRETS: commaList,
  /** Larger bodies get 413 without being read further. */
  RXWATCH_WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /**
   * The whole request body must arrive within this many seconds, on the webhook route (else 408, recorded as
   * `body_timeout`) and every JSON API route; a slow sender cannot hold a request open for minutes.
   */
  RXWATCH_BODY_READ_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(10),
  /**
   * Per source address and minute, requests without a valid signature that keep a delivery row (with a 4 KiB
   * sample of the body)… (docs/ingest.md#rejected-requests)
   */
  RXWATCH_REJECTED_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  /** …and the bytes they may bring; beyond either only a counter per source and minute is kept. */
  RXWATCH_REJECTED_BYTES_PER_MINUTE: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(1024 * 1024),
  /** Group commit: concurrent deliveries arriving within this window share one transaction… */
  RXWATCH_INGEST_BATCH_WINDOW_MS: z.coerce.number().min(0).max(100).default(2),
  /** …of at most this many deliveries. */
  RXWATCH_INGEST_BATCH_MAX: z.coerce.number().int().min(1).max(1000).default(64),
  /** Event types RxWatch knows; others are stored, acknowledged and flagged `unknown_event_type`. */
  RXWATCH_KNOWN_EVENT_TYPES: commaList,
  /** Payload versions RxWatch knows; others are stored, acknowledged and flagged `unknown_payload_version`. */
  RXWATCH_KNOWN_PAYLOAD_VERSIONS: commaList,

  // --- Processing (the inbox worker) ---
  /** Set to 0 to run an instance that only ingests (the worker runs elsewhere). */
  RXWATCH_WORKER: z.enum(["0", "1"]).default("1").transform((value) => value === "1"),
  /**
   * 1 (default): webhook storage and the worker run in a thread of its own with its own database connection,
   * leaving the main thread's event loop to read requests and serve pages; 0: both on the main thread's event loop
   * (docs/ingest.md#the-processing-thread).
   */
  RXWATCH_PROCESSING_THREAD: z.enum(["0", "1"]).default("1").transform((value) => value === "1"),
  RXWATCH_PROCESSING_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Attempts before an event is dead-lettered. */
  RXWATCH_PROCESSING_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** A claimed event whose worker vanished becomes claimable again after this. */
  RXWATCH_PROCESSING_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  RXWATCH_PROCESSING_BACKOFF_BASE_MS: z.coerce.number().int().min(10).default(2_000),
  RXWATCH_PROCESSING_BACKOFF_MAX_MS: z.coerce.number().int().min(100).default(60 * 60 * 1000),
  /** Safety-net poll; new events wake the worker at once. */
  RXWATCH_PROCESSING_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /** Exposes POST /api/bench/noop for `npm run bench:ingest`; off in normal operation. */
  RXWATCH_BENCH_ROUTES: z.enum(["0", "1"]).default("0").transform((value) => value === "1"),

  // --- Data protection ---
  /** How often the retention purge runs (server/retention/timer.ts); the first run comes a few minutes after start. */
  RXWATCH_RETENTION_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(60),

  // --- Reconciliation (docs/reconciliation.md) ---
  /** How often RxWatch compares its orders with RxScale's orders API (server/reconciliation/timer.ts); 0 turns the timer off. */
  RXWATCH_RECONCILE_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(15),
  /** 1: timer runs record RxScale's state for every difference (a fact whose source is reconciliation); 0: they only report. */
  RXWATCH_RECONCILE_AUTOFILL: z.enum(["0", "1"]).default("0").transform((value) => value === "1"),

  // --- Subscription health (docs/failures-and-alerts.md#subscription-health) ---
  /** How often RxWatch lists RxScale's subscriptions and compares them with what it needs (server/subscriptions/health.ts); 0 turns the timer off. */
  RXWATCH_SUBSCRIPTION_CHECK_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(5),

  // --- Outbound heartbeat (docs/operations.md#heartbeat) ---
  /** Called (GET) every minute while this instance's ingest and the inbox worker are healthy, so an outside monitor notices when RxWatch is down. */
  RXWATCH_HEARTBEAT_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .or(z.literal("").transform(() => undefined)),

  // --- Demo mode (built-in RxScale emulator; see server/demo) ---
  /** auto: on while no RxScale API key was saved (or an earlier demo is still active); 1: always; 0: never. */
  RXWATCH_DEMO: z.enum(["auto", "0", "1"]).default("auto"),
  /** Where the demo's emulator listens on 127.0.0.1; a busy port falls back to any free one. */
  RXWATCH_DEMO_EMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  /** New demo orders per minute (each walks the whole lifecycle in about half a minute). */
  RXWATCH_DEMO_ORDERS_PER_MINUTE: z.coerce.number().min(0).max(600).default(6),
});

export type Env = z.infer<typeof envSchema>;

/** Parses a raw environment, throwing one readable error that lists every bad variable. */
export function parseEnv(raw: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid RxWatch configuration:\n${problems}\nSee .env.example for every variable and its default.`);
  }
  if (result.data.RXWATCH_ADMIN_EMAIL && !result.data.RXWATCH_ADMIN_PASSWORD) {
    throw new Error("Invalid RxWatch configuration:\n  RXWATCH_ADMIN_PASSWORD: required when RXWATCH_ADMIN_EMAIL is set");
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated configuration, read once per process. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
