import "server-only";
import { env } from "@/server/env";

type Level = "debug" | "info" | "warn" | "error";
const ORDER: Level[] = ["debug", "info", "warn", "error"];

/**
 * Structured one-line JSON logs on stdout. Callers pass identifiers and codes,
 * never payload data: nothing a patient could be identified by belongs here.
 */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (ORDER.indexOf(level) < ORDER.indexOf(env().LOG_LEVEL)) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields });
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}
