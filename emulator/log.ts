/*
 * The emulator's console output: one short line per event worth seeing.
 * Lines carry ids, event types, targets and status codes — never payload
 * contents, even though the patients are fake, so the habit carries over.
 */

export type LogLevel = "silent" | "info" | "debug";
export type LogSink = (line: string) => void;

export interface EmulatorLogger {
  info(line: string): void;
  warn(line: string): void;
  debug(line: string): void;
}

/** A logger writing to `sink` (console.log by default); `silent` drops everything but warnings. */
export function createLogger(level: LogLevel, sink: LogSink = (line) => console.log(line)): EmulatorLogger {
  const write = (line: string) => sink(`[rxscale-emulator] ${line}`);
  return {
    info: (line) => {
      if (level !== "silent") write(line);
    },
    warn: (line) => write(`WARNING ${line}`),
    debug: (line) => {
      if (level === "debug") write(line);
    },
  };
}

/** Scheme, host and path of a URL: a target's query string or credentials may hold a token and are not logged. */
export function describeTarget(target: string): string {
  try {
    const url = new URL(target);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
