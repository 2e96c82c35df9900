import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { changedFields } from "@/server/audit/record-audit";

const ROOT = path.resolve(__dirname, "../..");
const SOURCE_DIRECTORIES = ["app", "components", "lib", "server", "scripts", "prisma", "emulator", "instrumentation.ts", "proxy.ts"];
/** The only writer of audit entries, and the retention purge (which deletes them only past their own period). */
const MAY_CREATE = ["server/repositories/audit.ts"];
/** The retention purge and its repository: the only code that removes audit rows, and only past the audit period. */
const MAY_DELETE_MANY_UNDER = ["server/retention/", "server/repositories/retention.ts"];
const mayDeleteMany = (file: string) => MAY_DELETE_MANY_UNDER.some((prefix) => file.startsWith(prefix));

function sourceFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  let stats;
  try {
    stats = statSync(full);
  } catch {
    return [];
  }
  if (stats.isFile()) return /\.(ts|tsx|mts|mjs|js)$/.test(entry) && !/\.test\.ts$/.test(entry) ? [entry] : [];
  if (/(^|\/)(node_modules|generated|\.next)$/.test(entry)) return [];
  return readdirSync(full).flatMap((name) => sourceFiles(path.join(entry, name)));
}

describe("the audit log is append-only", () => {
  it("is written only by the audit repository and deleted only by the retention purge", () => {
    const offenders: string[] = [];
    const files = SOURCE_DIRECTORIES.flatMap(sourceFiles);
    // A wrong root would scan nothing and pass: the writer itself must be among the files read.
    expect(files).toEqual(expect.arrayContaining([...MAY_CREATE, "server/repositories/retention.ts"]));
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      for (const match of text.matchAll(/auditEntry\s*\.\s*(\w+)/g)) {
        const method = match[1] ?? "";
        if (["findMany", "findFirst", "findUnique", "count", "aggregate", "groupBy"].includes(method)) continue;
        if (method === "create" && MAY_CREATE.includes(file)) continue;
        if (method === "deleteMany" && mayDeleteMany(file)) continue;
        offenders.push(`${file}: auditEntry.${method}`);
      }
      if (/(update|delete)\s+(from\s+)?"?audit_entry"?/i.test(text) && !mayDeleteMany(file)) offenders.push(`${file}: raw SQL on audit_entry`);
    }
    expect(offenders).toEqual([]);
  });
});

describe("changedFields", () => {
  it("names the top-level fields whose values differ, never the values", () => {
    expect(changedFields({ a: 1, b: { c: "secret" }, d: [1] }, { a: 1, b: { c: "other secret" }, e: true })).toBe("b,d,e");
    expect(changedFields({ a: 1 }, { a: 1 })).toBe("");
  });
});
