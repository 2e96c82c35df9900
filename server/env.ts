import "server-only";
import { z } from "zod";

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
  /** Origin at which people and RxScale reach this instance, e.g. https://rxwatch.example.com. */
  RXWATCH_PUBLIC_URL: z.url().optional().or(z.literal("").transform(() => undefined)),
  /** Further origins allowed to send state-changing requests (comma-separated). */
  RXWATCH_TRUSTED_ORIGINS: commaList,
  /** Signs sessions and, later, encrypts secrets at rest. With SQLite it is generated into data/ when unset. */
  RXWATCH_SECRET_KEY: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  RXWATCH_ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  RXWATCH_ADMIN_PASSWORD: optionalString,
  RXWATCH_SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  RXWATCH_LOGIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  RXWATCH_LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  RXWATCH_MIN_PASSWORD_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
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
