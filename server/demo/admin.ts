import "server-only";
import { randomInt } from "node:crypto";
import { chmod, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { createUser, findUser, hasAnyUser, passwordProblem } from "@/server/auth/users";
import { databaseProvider, sqliteFilePath } from "@/server/core/db";
import { env } from "@/server/core/env";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";

/*
 * The demo's admin account. RxWatch has no default password, so a demo
 * instance without users gets one random password, shown once on stdout when
 * that is a terminal, and kept in a 0600 file beside the SQLite database so a lost terminal does not
 * lock the demo user out. With PostgreSQL there is no local data directory
 * that is clearly "this instance's", so the password is only printed.
 */

export const DEMO_ADMIN_EMAIL = "demo@rxwatch.local";
export const DEMO_PASSWORD_FILE_NAME = "demo-admin-password.txt";
/** ~140 bits from the alphabet below: far beyond guessing, still typeable. */
const DEMO_PASSWORD_LENGTH = 24;
/** Letters and digits without look-alikes (0/O, 1/l/I), so the password can be read off a screen. */
const PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

export type DemoAdminResult =
  | { kind: "created"; email: string; password: string; passwordFile: string | null }
  /** Users exist; `passwordFile` is set when the demo admin is one of them and its password file is still there. */
  | { kind: "exists"; passwordFile: string | null }
  /** RXWATCH_ADMIN_EMAIL is configured: the first admin comes from there, never from the demo. */
  | { kind: "not_needed" };

/** Where the demo admin's password is kept: beside the SQLite database, or nowhere for PostgreSQL. */
export function demoPasswordFile(databaseUrl: string): string | null {
  if (databaseProvider(databaseUrl) !== "sqlite") return null;
  return path.join(path.dirname(sqliteFilePath(databaseUrl)), DEMO_PASSWORD_FILE_NAME);
}

/**
 * Where the sign-in page says the demo admin's password is: the file (as the
 * start-up output names it) while it exists, or null when the demo admin is
 * gone or its password was only printed (PostgreSQL).
 */
export async function demoPasswordHint(): Promise<{ email: string; passwordFile: string | null } | null> {
  if ((await findUser(DEMO_ADMIN_EMAIL)) === null) return null;
  const file = await existingFile(demoPasswordFile(env().DATABASE_URL));
  return { email: DEMO_ADMIN_EMAIL, passwordFile: file === null ? null : displayPath(file) };
}

/** A random password that passes RxWatch's own password rules for the demo email. */
export function generateDemoPassword(): string {
  const length = Math.max(DEMO_PASSWORD_LENGTH, env().RXWATCH_MIN_PASSWORD_LENGTH);
  for (;;) {
    let password = "";
    for (let index = 0; index < length; index += 1) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
    // Rarely the draw spells the email's name or repeats too much; draw again rather than weaken the rule.
    if (passwordProblem(password, DEMO_ADMIN_EMAIL) === null) return password;
  }
}

async function existingFile(file: string | null): Promise<string | null> {
  if (file === null) return null;
  try {
    return (await stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * Creates the demo admin with a random password when the instance has no
 * users and no first admin is configured. Never resets an existing user's
 * password: on later starts it only points at the password file.
 */
export async function ensureDemoAdmin(): Promise<DemoAdminResult> {
  const config = env();
  const passwordFile = demoPasswordFile(config.DATABASE_URL);
  if (await hasAnyUser()) {
    const isDemoAdminPresent = (await findUser(DEMO_ADMIN_EMAIL)) !== null;
    return { kind: "exists", passwordFile: isDemoAdminPresent ? await existingFile(passwordFile) : null };
  }
  if (config.RXWATCH_ADMIN_EMAIL) return { kind: "not_needed" };
  const password = generateDemoPassword();
  try {
    await createUser({ email: DEMO_ADMIN_EMAIL, password, role: "admin", name: "Demo admin" });
  } catch (error) {
    // Another instance sharing the database created it a moment ago, with its own password.
    if (error instanceof AppError && error.code === "conflict") return { kind: "exists", passwordFile: await existingFile(passwordFile) };
    throw error;
  }
  if (passwordFile === null) return { kind: "created", email: DEMO_ADMIN_EMAIL, password, passwordFile: null };
  try {
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    // `mode` applies only to a new file; one left by an earlier database keeps its old mode otherwise.
    await chmod(passwordFile, 0o600);
    return { kind: "created", email: DEMO_ADMIN_EMAIL, password, passwordFile };
  } catch (error) {
    log("warn", "demo admin password file could not be written; the password is only shown on stdout", { error: error instanceof Error ? error.name : "unknown" });
    return { kind: "created", email: DEMO_ADMIN_EMAIL, password, passwordFile: null };
  }
}

/**
 * The block printed at start-up: credentials once, on creation, and only to an
 * interactive terminal — output that is not a terminal usually ends up in a
 * log file, so it names the 0600 file instead. Afterwards it says where the
 * password is kept.
 */
export function describeDemoAdmin(result: DemoAdminResult, signInUrl: string, { isInteractive }: { isInteractive: boolean }): string | null {
  if (result.kind === "not_needed") return null;
  if (result.kind === "exists") {
    if (result.passwordFile === null) return null;
    return frame([`RxWatch demo mode — sign in at ${signInUrl} as ${DEMO_ADMIN_EMAIL};`, `its password is in ${displayPath(result.passwordFile)} (mode 0600).`]);
  }
  if (!isInteractive) {
    return frame([
      `RxWatch demo mode — sign in at ${signInUrl} as ${result.email};`,
      result.passwordFile === null
        ? "its password is shown only on an interactive terminal and no file is kept with PostgreSQL:"
        : `its password is in ${displayPath(result.passwordFile)} (mode 0600; not printed, this output is not a terminal).`,
      ...(result.passwordFile === null ? ["add an admin with `npm run rxwatch -- user add --email you@example.com --role admin`."] : []),
    ]);
  }
  return frame([
    `RxWatch demo mode — sign in at ${signInUrl}`,
    `  as        ${result.email}`,
    `  password  ${result.password}`,
    result.passwordFile === null
      ? "This password is shown only now: note it (no file is kept with PostgreSQL)."
      : `This password is also in ${displayPath(result.passwordFile)} (mode 0600).`,
  ]);
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

function frame(lines: string[]): string {
  const width = Math.max(...lines.map((line) => line.length));
  const rule = "=".repeat(width + 4);
  return ["", rule, ...lines.map((line) => `| ${line.padEnd(width)} |`), rule, ""].join("\n");
}
