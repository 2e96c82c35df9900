import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeEach } from "vitest";

/*
 * Server code logs JSON lines straight to process.stdout/stderr (pino), and
 * the suites provoke many expected failures. In the test worker those writes
 * are kept in memory and printed (through Vitest's console, so they are
 * labelled with the test) only when the test fails. Vitest reports over its
 * own channel, not these streams. A test that asserts on log lines spies on
 * process.stdout/stderr.write as before: its spy sees every line while it is
 * installed, and restoring it brings this capture back. Every line is also
 * appended to RXWATCH_TEST_OUTPUT_LOG (vitest.config.ts), which `npm test`'s
 * log scan reads: quiet must not mean unscanned.
 */

type Write = typeof process.stdout.write;

/** Lines since the current test began; lines written by hooks between tests, kept for the end of the file. */
let captured: string[] = [];
let outsideTests: string[] = [];

const outputLog = process.env.RXWATCH_TEST_OUTPUT_LOG;
if (outputLog) mkdirSync(path.dirname(outputLog), { recursive: true });

function capture(stream: NodeJS.WriteStream): void {
  stream.write = function write(chunk: unknown, ...rest: unknown[]): boolean {
    const text = chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : String(chunk);
    captured.push(text);
    // One append per write: the workers of a project share the file, and O_APPEND keeps their lines whole.
    if (outputLog) appendFileSync(outputLog, text);
    // Node's contract: a callback passed last is called once the chunk is written.
    const callback = rest.at(-1);
    if (typeof callback === "function") queueMicrotask(() => callback());
    return true;
  } as Write;
}

capture(process.stdout);
capture(process.stderr);

function print(heading: string, lines: readonly string[]): void {
  const text = lines.join("").trimEnd();
  if (text !== "") console.error(`── ${heading} ──\n${text}`);
}

// onTestFailed runs after the afterEach hooks, so a passing test's lines are dropped when it has finished, not before.
beforeEach(({ onTestFailed, onTestFinished }) => {
  outsideTests.push(...captured);
  captured = [];
  onTestFailed(() => {
    print("server output captured during this test", captured);
    captured = [];
  });
  onTestFinished(({ task }) => {
    if (task.result?.state !== "fail") captured = [];
  });
});

interface TaskState {
  result?: { state?: string; errors?: readonly unknown[] };
  tasks?: readonly TaskState[];
}

/** Whether any test or hook under `task` failed. */
function hasFailure(task: TaskState): boolean {
  if (task.result?.state === "fail" || (task.result?.errors?.length ?? 0) > 0) return true;
  return (task.tasks ?? []).some(hasFailure);
}

// Lines written outside any test (beforeAll/afterAll hooks) matter only when something in the file failed.
// Vitest reads a hook's fixtures from its first parameter, so it must be a (here empty) pattern.
afterAll(({}, suite) => {
  if (hasFailure(suite)) print("server output captured outside tests in this file", [...outsideTests, ...captured]);
  captured = [];
  outsideTests = [];
});
