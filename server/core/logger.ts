import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { hostname } from "node:os";
import pino, { type DestinationStream, type Logger } from "pino";
import { env } from "@/server/core/env";
import { currentRequestId } from "@/server/core/request-context";

type Level = "debug" | "info" | "warn" | "error";

/**
 * Field names that never belong in a log line. Callers pass identifiers and
 * codes only; this is the safety net for a slip: the value is replaced, the
 * key stays so the slip is visible. Matched case-insensitively on top-level
 * fields, and through pino's redaction one level down and under `headers`.
 */
const SENSITIVE_KEY = /^(body|rawbody|payload|data|password|passphrase|secret|signingsecret|apikey|api_key|token|accesstoken|authorization|cookie|set-cookie|email|name|displayname|display_name|dob|dateofbirth|date_of_birth|address|phone|patient.*)$/i;
const NESTED_SENSITIVE = ["body", "payload", "password", "secret", "apiKey", "api_key", "token", "cookie", "authorization", "email", "patient", "patientData", "patient_data", "patientName", "patientEmail"];
export const REDACTED = "[redacted]";
const REDACT_PATHS = [
  ...NESTED_SENSITIVE.map((key) => `*.${key}`),
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
];

/** Replaces the values of top-level fields whose name marks them as personal data or a secret. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  let result: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    if (!SENSITIVE_KEY.test(key) || fields[key] === undefined) continue;
    result ??= { ...fields };
    result[key] = REDACTED;
  }
  return result ?? fields;
}

/**
 * A pino logger writing one JSON object per line: debug and info to stdout,
 * warn and error to stderr (where process supervisors look for trouble).
 * process.stdout/stderr write synchronously to files and pipes on Linux, so
 * lines written just before an exit are not lost.
 */
export function createLogger(level: Level, destinations?: { out: DestinationStream; err: DestinationStream }): Logger<never> {
  const out = destinations?.out ?? process.stdout;
  const err = destinations?.err ?? process.stderr;
  return pino(
    {
      level,
      // Which instance wrote the line, when several share one log store.
      base: { pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId === undefined ? {} : { requestId };
      },
    },
    pino.multistream(
      [
        { level: "debug", stream: out },
        { level: "warn", stream: err },
      ],
      { dedupe: true },
    ),
  );
}


function logger(): Logger<never> {
  return processSingleton<Logger<never>>("rxwatchLogger", () => createLogger(env().LOG_LEVEL));
}

/**
 * Structured one-line JSON logs (pino), stamped with the current request's
 * id. Callers pass identifiers and codes, never payload data: nothing a
 * patient could be identified by belongs here.
 */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  logger()[level](redactFields(fields), message);
}
