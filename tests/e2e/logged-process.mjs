// Runs a server for the end-to-end suite with its output appended to
// E2E_LOG_DIR/<name>.log instead of the terminal: `npm test`'s log scan reads
// that directory (scripts/log-scan.ts), and a failing test prints the lines
// written while it ran (tests/e2e/fixtures.ts). Signals are passed on; if the
// server exits with an error, the end of its log goes to stderr so Playwright
// shows why it did not start.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** How much of the log to show when the server exits with an error. */
const TAIL_CHARS = 4_000;

export function runLogged(name, command, args, env) {
  const directory = process.env.E2E_LOG_DIR ?? path.resolve("test-results", "logs");
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}.log`);
  const log = createWriteStream(file);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    log.end(() => {
      if (code !== 0 && signal === null) process.stderr.write(`${name} exited with ${code}; the end of ${file}:\n${readFileSync(file, "utf8").slice(-TAIL_CHARS)}\n`);
      process.exit(code ?? 0);
    });
  });
}
