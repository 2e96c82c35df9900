import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE_PATIENT } from "../tests/fixtures/rxscale-webhooks";
import { needlesFor, readSeededPatients, scanLogDirectory, scanText } from "./log-scan";

const patient = { name: "Jörg Übermann", email: "joerg.uebermann42@example.invalid", dateOfBirth: "1961-02-03" };
const needles = needlesFor([patient]);

describe("log scan", () => {
  it("finds a planted name, e-mail and birth date, reporting line numbers and kinds only", () => {
    const log = [
      '{"level":"info","msg":"delivery stored","deliveryId":"d-1"}',
      `{"level":"error","msg":"processing failed","detail":"patient Jörg Übermann"}`,
      "plain line with JOERG.UEBERMANN42@EXAMPLE.INVALID in capitals",
      "born 1961-02-03",
    ].join("\n");
    const hits = scanText("e2e.log", log, needles);
    expect(hits).toEqual([
      { file: "e2e.log", line: 2, kind: "name" },
      { file: "e2e.log", line: 3, kind: "email" },
      { file: "e2e.log", line: 4, kind: "date of birth" },
    ]);
    expect(JSON.stringify(hits)).not.toMatch(/Übermann|joerg|1961/i);
  });

  it("sees through colour codes and JSON's escaping of non-ASCII letters", () => {
    expect(scanText("a.log", "\u001b[31mJörg\u001b[39m Übermann", needles)).toEqual([{ file: "a.log", line: 1, kind: "name" }]);
    expect(scanText("a.log", '{"name":"J\\u00f6rg \\u00dcbermann"}', needles)).toEqual([{ file: "a.log", line: 1, kind: "name" }]);
  });

  it("passes clean logs", () => {
    expect(scanText("a.log", '{"msg":"webhook delivery rejected","reasonCode":"missing_signature","status":401}', needles)).toEqual([]);
  });

  it("scans every .log file of a directory, with the fixture patient and the emulator's list", () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "log-scan-"));
    const patientsFile = path.join(directory, "patients.jsonl");
    writeFileSync(patientsFile, `${JSON.stringify(patient)}\n`);
    writeFileSync(path.join(directory, "unit.log"), "all fine\n");
    writeFileSync(path.join(directory, "e2e.log"), `ok\nordered by ${FIXTURE_PATIENT.email}\nok\n`);
    writeFileSync(path.join(directory, "trace.zip"), patient.name);
    const patients = readSeededPatients(patientsFile);
    expect(patients).toHaveLength(2);
    const report = scanLogDirectory(directory, patients);
    expect(report.files).toEqual(["e2e.log", "unit.log"]);
    expect(report.hits).toEqual([{ file: "e2e.log", line: 2, kind: "email" }]);
  });
});
