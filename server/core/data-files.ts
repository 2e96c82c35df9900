import "server-only";
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from "node:fs";
import path from "node:path";

/*
 * The SQLite database and the files beside it (its WAL and shared memory, the
 * generated secret key, the demo admin's password) hold e-mails, password
 * hashes, sessions and reveal reasons: only the account RxWatch runs as may
 * read them. See docs/data-protection.md#files-on-disk
 */

export const DATA_DIRECTORY_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;
/** SQLite's companions of a database file; each is created with the main file's mode. */
const SQLITE_COMPANION_SUFFIXES = ["-wal", "-shm", "-journal"];

function isWithin(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

function restrict(file: string, mode: number): void {
  try {
    const stats = lstatSync(file);
    if ((stats.isFile() || stats.isDirectory()) && (stats.mode & 0o777) !== mode) chmodSync(file, mode);
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "ENOENT")) throw error;
  }
}

/**
 * Makes `databaseFile`'s directory (created when missing) and the files in it
 * private before SQLite opens it: the directory 0700 and every file directly
 * in it 0600, fixing looser modes left by earlier versions. The database file
 * is created 0600 first, so SQLite's WAL and shared-memory files, which copy
 * its mode, are private from birth. A directory that holds the working
 * directory (a database at `file:./rxwatch.db`) is not RxWatch's alone: there
 * only the database, its companions and `extraFiles` are restricted.
 */
export function prepareDataDirectory(databaseFile: string, extraFiles: readonly string[] = []): void {
  const directory = path.dirname(path.resolve(databaseFile));
  mkdirSync(directory, { recursive: true, mode: DATA_DIRECTORY_MODE });
  closeSync(openSync(databaseFile, "a", DATA_FILE_MODE));
  if (isWithin(directory, process.cwd())) {
    for (const file of [databaseFile, ...SQLITE_COMPANION_SUFFIXES.map((suffix) => `${databaseFile}${suffix}`), ...extraFiles]) restrict(file, DATA_FILE_MODE);
    return;
  }
  restrict(directory, DATA_DIRECTORY_MODE);
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isFile()) restrict(path.join(directory, entry.name), DATA_FILE_MODE);
  }
}
