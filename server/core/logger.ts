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

export type LogFormat = "json" | "pretty";

const PRETTY_OMITTED = new Set(["level", "time", "msg", "pid", "hostname"]);

/**
 * One JSON log line as a person reads it in a terminal:
 * "14:02:05.123 WARN  slow answer requestId=r1 ms=812". A line that is not
 * JSON passes through unchanged.
 */
export function formatPrettyLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return line;
  const fields = Object.entries(entry);
  const value = (key: string) => fields.find(([name]) => name === key)?.[1];
  const time = value("time");
  const clock = typeof time === "string" ? time.slice(11, 23) : "";
  const level = String(value("level") ?? "info").toUpperCase().padEnd(5);
  const rest = fields
    .filter(([key]) => !PRETTY_OMITTED.has(key))
    .map(([key, field]) => `${key}=${typeof field === "string" && !/\s/.test(field) ? field : JSON.stringify(field)}`);
  return `${[clock, level, String(value("msg") ?? ""), ...rest].filter(Boolean).join(" ")}\n`;
}

function pretty(target: DestinationStream): DestinationStream {
  return { write: (line: string) => target.write(formatPrettyLine(line)) };
}

/**
 * A pino logger writing one JSON object per line (or, `pretty`, one readable
 * line): debug and info to `out`, warn and error to `err` (where process
 * supervisors look for trouble). process.stdout/stderr write synchronously to
 * files and pipes on Linux, so lines written just before an exit are not lost.
 */
export function createLogger(level: Level, destinations?: { out: DestinationStream; err: DestinationStream }, format: LogFormat = "json"): Logger<never> {
  const out = destinations?.out ?? process.stdout;
  const err = destinations?.err ?? process.stderr;
  const wrap = format === "pretty" ? pretty : (stream: DestinationStream) => stream;
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
        { level: "debug", stream: wrap(out) },
        { level: "warn", stream: wrap(err) },
      ],
      { dedupe: true },
    ),
  );
}

let isEveryLineOnStandardError = false;

/**
 * For command-line tools whose stdout is their result (a token, a list):
 * every log line goes to stderr. Call before the first log line.
 */
export function sendLogsToStandardError(): void {
  isEveryLineOnStandardError = true;
}

/** LOG_FORMAT=auto: readable in a terminal (`npm start` by hand), JSON for pipes, files and log collectors. */
function chooseFormat(): LogFormat {
  const configured = env().LOG_FORMAT;
  if (configured !== "auto") return configured;
  return (isEveryLineOnStandardError ? process.stderr.isTTY : process.stdout.isTTY) ? "pretty" : "json";
}

function logger(): Logger<never> {
  return processSingleton<Logger<never>>("rxwatchLogger", () =>
    createLogger(env().LOG_LEVEL, isEveryLineOnStandardError ? { out: process.stderr, err: process.stderr } : undefined, chooseFormat()),
  );
}

/**
 * Structured one-line logs (pino; JSON unless shown in a terminal), stamped with the current request's
 * id. Callers pass identifiers and codes, never payload data: nothing a
 * patient could be identified by belongs here.
 */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  logger()[level](redactFields(fields), message);
}
