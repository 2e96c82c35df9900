import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/*
 * ARCHITECTURE.md is the map a newcomer reads first; this keeps it true:
 * every top-level and server/ folder has exactly one row, and every path it
 * names exists.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const map = readFileSync(path.join(ROOT, "ARCHITECTURE.md"), "utf8");
const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);

/** Folders holding tracked files, as `name/`, directly below `parent` ("" for the top level); hidden ones aside. */
function trackedFolders(parent: string): string[] {
  const prefix = parent ? `${parent}/` : "";
  const names = tracked.filter((file) => file.startsWith(prefix)).map((file) => file.slice(prefix.length).split("/"));
  return [...new Set(names.filter((parts) => parts.length > 1 && !parts[0]?.startsWith(".")).map((parts) => `${prefix}${parts[0]}/`))].sort();
}

/** The first cell of every table row, when it is a single code span. */
const rows = [...map.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] ?? "");
const topLevelEntries = new Set(tracked.map((file) => file.split("/")[0]));

describe("ARCHITECTURE.md", () => {
  it("has exactly one row for every top-level folder", () => {
    const folders = trackedFolders("");
    expect(folders.length).toBeGreaterThan(5);
    expect(folders.filter((folder) => rows.filter((row) => row === folder).length !== 1)).toEqual([]);
  });

  it("has exactly one row for every server/ folder", () => {
    const folders = trackedFolders("server");
    expect(folders.length).toBeGreaterThan(10);
    expect(folders.filter((folder) => rows.filter((row) => row === folder).length !== 1)).toEqual([]);
  });

  it("names no row twice", () => {
    expect(rows.filter((row, index) => rows.indexOf(row) !== index)).toEqual([]);
  });

  it("names only paths that exist", () => {
    const missing: string[] = [];
    for (const line of map.split("\n")) {
      const rowFolder = /^\| `([\w./-]+\/)` \|/.exec(line)?.[1];
      for (const [, token = ""] of line.matchAll(/`([^`\s]+)`/g)) {
        const isRepoPath = token.includes("/") && topLevelEntries.has(token.split("/")[0] ?? "");
        // A bare file name in a folder's row (`env.ts` in the server/core/ row) lives in that folder.
        const isBareFile = rowFolder !== undefined && /^[\w.-]+\.(ts|tsx|mjs|md|prisma)$/.test(token);
        if (isRepoPath && !existsSync(path.join(ROOT, token))) missing.push(token);
        if (isBareFile && !existsSync(path.join(ROOT, rowFolder, token))) missing.push(`${rowFolder}${token}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
