import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, formatPrettyLine, REDACTED, redactFields } from "./logger";
import { withRequestContext } from "./request-context";

function sink(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  return { stream, lines: () => chunks.join("").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("writes one JSON object per line: info to stdout, warn and error to stderr only", () => {
    const out = sink();
    const err = sink();
    const logger = createLogger("info", { out: out.stream, err: err.stream });
    logger.debug("hidden");
    logger.info({ eventId: "e1" }, "stored");
    logger.warn("slow");
    logger.error("broken");
    expect(out.lines().map((line) => [line.level, line.msg, line.eventId])).toEqual([["info", "stored", "e1"]]);
    expect(err.lines().map((line) => [line.level, line.msg])).toEqual([
      ["warn", "slow"],
      ["error", "broken"],
    ]);
    expect(typeof out.lines()[0]?.time).toBe("string");
  });

  it("stamps lines written while serving a request with its id", async () => {
    const out = sink();
    const logger = createLogger("info", { out: out.stream, err: sink().stream });
    await withRequestContext(new Request("http://x/", { headers: { "x-request-id": "req-abcdef12" } }), async () => {
      logger.info("inside");
      return new Response(null);
    });
    logger.info("outside");
    expect(out.lines().map((line) => [line.msg, line.requestId])).toEqual([
      ["inside", "req-abcdef12"],
      ["outside", undefined],
    ]);
  });

  it("redacts secrets and personal data nested one level down and in headers", () => {
    const out = sink();
    const logger = createLogger("info", { out: out.stream, err: sink().stream });
    logger.info({ request: { body: "Erika", email: "erika@example.invalid" }, headers: { authorization: "Bearer t0k3n", cookie: "s=1", accept: "*/*" } }, "x");
    const [line] = out.lines();
    expect(JSON.stringify(line)).not.toMatch(/Erika|erika@|t0k3n|s=1/);
    expect(line?.headers).toEqual({ authorization: REDACTED, cookie: REDACTED, accept: "*/*" });
  });
});

describe("redactFields", () => {
  it("replaces top-level fields named like secrets or personal data, whatever their case", () => {
    const fields = { eventId: "e1", Body: "{}", password: "p", apiKey: "k", patientName: "Erika", PATIENT_EMAIL: "e@x", email: "e@x", matchedSecretId: "s1", reasonCode: "bad_signature" };
    expect(redactFields(fields)).toEqual({ eventId: "e1", Body: REDACTED, password: REDACTED, apiKey: REDACTED, patientName: REDACTED, PATIENT_EMAIL: REDACTED, email: REDACTED, matchedSecretId: "s1", reasonCode: "bad_signature" });
  });

  it("returns the same object when nothing needs redacting", () => {
    const fields = { eventId: "e1" };
    expect(redactFields(fields)).toBe(fields);
  });
});

describe("pretty output", () => {
  it("turns a JSON line into time, level, message and the remaining fields", () => {
    const line = JSON.stringify({ level: "warn", time: "2026-12-04T14:02:05.123Z", pid: 7, hostname: "h", requestId: "r1", ms: 812, note: "two words", msg: "slow answer" });
    expect(formatPrettyLine(line)).toBe('14:02:05.123 WARN  slow answer requestId=r1 ms=812 note="two words"\n');
  });

  it("passes a line that is not JSON through unchanged", () => {
    expect(formatPrettyLine("not json\n")).toBe("not json\n");
  });

  it("writes readable lines, still redacted, when asked for the pretty format", () => {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString("utf8"));
        callback();
      },
    });
    const logger = createLogger("info", { out, err: sink().stream }, "pretty");
    logger.info({ eventId: "e1", context: { patient: "Erika" } }, "stored");
    const text = chunks.join("");
    expect(text).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} INFO  stored eventId=e1 context=/);
    expect(text).not.toContain("Erika");
    expect(text).not.toContain("{\"level\"");
  });
});
