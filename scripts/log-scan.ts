// `node node_modules/tsx/dist/cli.mjs scripts/log-scan.ts [LOG_DIR] [PATIENTS_FILE]` — the last stage of `npm test`.
//
// Fails when any log the suite wrote contains a seeded patient's name, e-mail
// or birth date (reported by kind, never by value), or when there was nothing
// to scan. See docs/development.md#log-scan.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { FIXTURE_PATIENT } from "../tests/fixtures/rxscale-webhooks";

export interface SeededPatient {
  name: string;
  email: string;
  dateOfBirth: string;
}

export type NeedleKind = "name" | "email" | "date of birth";
export interface Needle {
  kind: NeedleKind;
  value: string;
}
export interface Hit {
  file: string;
  line: number;
  kind: NeedleKind;
}

const seededPatientSchema = z.object({ name: z.string().min(1), email: z.string().min(3), dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });

// Colour and cursor codes: a coloured diff could otherwise split a value.
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** The values to look for, each also as JSON writes it with non-ASCII escaped. */
export function needlesFor(patients: readonly SeededPatient[]): Needle[] {
  const needles = new Map<string, Needle>();
  const add = (kind: NeedleKind, value: string) => {
    for (const form of [value, value.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)]) {
      const normalised = form.normalize("NFC").toLowerCase();
      needles.set(`${kind}:${normalised}`, { kind, value: normalised });
    }
  };
  for (const patient of patients) {
    add("name", patient.name);
    add("email", patient.email);
    add("date of birth", patient.dateOfBirth);
  }
  return [...needles.values()];
}

/** Lines of `text` holding a needle (case-insensitive, colour codes removed), one hit per line and kind. */
export function scanText(file: string, text: string, needles: readonly Needle[]): Hit[] {
  const hits: Hit[] = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(ANSI_ESCAPE, "").normalize("NFC").toLowerCase();
    const kinds = new Set(needles.filter((needle) => line.includes(needle.value)).map((needle) => needle.kind));
    for (const kind of kinds) hits.push({ file, line: index + 1, kind });
  }
  return hits;
}

/** The fixture patient plus every patient listed (one JSON object per line) in `patientsFile`, if it exists. */
export function readSeededPatients(patientsFile: string): SeededPatient[] {
  const patients: SeededPatient[] = [{ ...FIXTURE_PATIENT }];
  if (!existsSync(patientsFile)) return patients;
  for (const line of readFileSync(patientsFile, "utf8").split("\n")) {
    if (line.trim() !== "") patients.push(seededPatientSchema.parse(JSON.parse(line)));
  }
  return patients;
}

export interface ScanReport {
  files: string[];
  lines: number;
  patients: number;
  hits: Hit[];
}

export function scanLogDirectory(logDirectory: string, patients: readonly SeededPatient[]): ScanReport {
  const files = existsSync(logDirectory) ? readdirSync(logDirectory).filter((name) => name.endsWith(".log")).sort() : [];
  const needles = needlesFor(patients);
  const report: ScanReport = { files, lines: 0, patients: patients.length, hits: [] };
  for (const name of files) {
    const text = readFileSync(path.join(logDirectory, name), "utf8");
    report.lines += text.split("\n").length;
    report.hits.push(...scanText(name, text, needles));
  }
  return report;
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const logDirectory = path.resolve(process.argv[2] ?? path.join(root, "test-results", "logs"));
  const patientsFile = path.resolve(process.argv[3] ?? path.join(root, "test-results", "seeded-patients.jsonl"));
  const report = scanLogDirectory(logDirectory, readSeededPatients(patientsFile));
  if (report.files.length === 0) {
    console.error(`log scan: no logs in ${logDirectory} — nothing was scanned, which proves nothing.`);
    process.exit(1);
  }
  console.log(`log scan: ${report.files.length} logs, ${report.lines} lines, ${report.patients} seeded patients (names, e-mails, birth dates).`);
  for (const hit of report.hits) console.error(`  ${path.join(path.relative(root, logDirectory), hit.file)}:${hit.line}: a seeded patient's ${hit.kind}`);
  if (report.hits.length > 0) {
    console.error(`log scan: ${report.hits.length} lines carry patient data (values not shown). Find what logged them and log identifiers instead.`);
    process.exit(1);
  }
  console.log("log scan: no patient data in any log.");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
