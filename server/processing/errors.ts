import "server-only";
import type { z } from "zod";
import { driverErrorCause } from "@/server/core/driver-error";
import { AppError } from "@/server/core/errors";

/** Codes a run can fail with; stored with the attempt and shown to support, so messages name fields and causes, never payload values.
 * - `invalid_payload` (permanent): the event's data lacks what its handler needs — fix the handler or the sender, then re-process.
 * - `missing_body` (permanent): no delivery of the event kept its body — nothing to run.
 * - `invalid_body` (permanent): the stored body is not a JSON envelope with a `data` object.
 * - `unreadable_body` (retried): the stored body cannot be decrypted, e.g. its key is missing from RXWATCH_PREVIOUS_SECRET_KEYS — configure the key.
 * - `handler_timeout` (retried): the handler did not finish within the lease.
 * - `unexpected_error` (retried): anything else a handler threw; only the error's class and code are kept. */
export type ProcessingErrorCode = "invalid_payload" | "missing_body" | "invalid_body" | "unreadable_body" | "handler_timeout" | "unexpected_error";

/**
 * The error handlers throw on purpose. `message` must not contain payload
 * values. A permanent error dead-letters the event at once: retrying cannot
 * fix a payload, only a re-process after a fix can.
 */
export class ProcessingError extends Error {
  readonly code: ProcessingErrorCode;
  readonly isPermanent: boolean;

  constructor(code: ProcessingErrorCode, message: string, options: { isPermanent: boolean }) {
    super(message);
    this.name = "ProcessingError";
    this.code = code;
    this.isPermanent = options.isPermanent;
  }
}

/** An `invalid_payload` error listing each problem by path and kind, e.g. "data.uid: invalid_type (expected string)". */
export function invalidPayloadError(issues: readonly z.core.$ZodIssue[]): ProcessingError {
  const problems = issues.slice(0, 10).map((issue) => {
    const where = ["data", ...issue.path.map(String)].join(".");
    const expected = issue.code === "invalid_type" ? ` (expected ${issue.expected})` : "";
    return `${where}: ${issue.code}${expected}`;
  });
  const more = issues.length > 10 ? `; and ${issues.length - 10} more` : "";
  return new ProcessingError("invalid_payload", `${problems.join("; ")}${more}`, { isPermanent: true });
}

function stringProperty(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null || !(key in value)) return undefined;
  const property: unknown = Reflect.get(value, key);
  return typeof property === "string" && /^[\w.-]{1,40}$/.test(property) ? property : undefined;
}

/**
 * An error's class and, when it has a short one, its code (e.g. "PrismaClientKnownRequestError (P2002)") or the
 * database's reason (e.g. "DriverAdapterError (DatabaseNotReachable)"); never its message.
 */
export function summarizeError(error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const code = stringProperty(error, "code") ?? driverErrorCause(error);
  return code ? `${name} (${code})` : name;
}

/**
 * What gets stored and logged about a failed run. Errors RxWatch raised on
 * purpose keep their message (written to be free of payload values); for
 * anything else only the class name and a short code survive, because such
 * messages can quote input (JSON.parse, for one, echoes the text it choked on).
 */
export function describeRunError(error: unknown): { message: string; isPermanent: boolean } {
  if (error instanceof ProcessingError) return { message: `${error.code}: ${error.message}`, isPermanent: error.isPermanent };
  if (error instanceof AppError) return { message: `${error.code}: ${error.message}`, isPermanent: false };
  return { message: `unexpected_error: ${summarizeError(error)} thrown by the handler; see the server log for where`, isPermanent: false };
}

/** The stack without its first line, which repeats the (possibly payload-bearing) message. */
export function stackFrames(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  return error.stack.split("\n").filter((line) => /^\s+at /.test(line)).join("\n");
}
