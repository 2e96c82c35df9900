import "server-only";

// A DriverAdapterError's name tells an operator nothing ("disk full" and "database
// restarting" log alike) and its message may quote values, so only the cause's kind
// and driver code (SQLITE_FULL, SQLSTATE 57P01) are extracted.
// See docs/reliability.md#what-these-tests-found

const SHORT_CODE = /^[\w.-]{1,40}$/;
/** How far down a chain of `cause`s to look (Prisma wraps the adapter's error at most once or twice). */
const MAX_CAUSE_DEPTH = 3;

function shortString(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null || !(key in value)) return undefined;
  const property: unknown = Reflect.get(value, key);
  return typeof property === "string" && SHORT_CODE.test(property) ? property : undefined;
}

/**
 * The database's reason behind `error`, e.g. "sqlite SQLITE_FULL",
 * "postgres 57P01" or "DatabaseNotReachable"; undefined when `error` did not
 * come from a driver adapter or a driver (the ingest group commit uses
 * better-sqlite3 and pg directly). Never includes a message.
 */
export function driverErrorCause(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof current === "object" && current !== null; depth += 1) {
    const cause: unknown = Reflect.get(current, "cause");
    if (shortString(current, "name") === "DriverAdapterError" && typeof cause === "object" && cause !== null) {
      const kind = shortString(cause, "kind") ?? "unknown";
      const code = shortString(cause, "originalCode") ?? shortString(cause, "code");
      return code === undefined ? kind : `${kind} ${code}`;
    }
    const rawCause = rawDriverCause(current);
    if (rawCause !== undefined) return rawCause;
    current = cause;
  }
  return undefined;
}

/** better-sqlite3's SqliteError and pg's DatabaseError (a server-reported error: it has a severity), named like the adapter's. */
function rawDriverCause(error: object): string | undefined {
  const code = shortString(error, "code");
  if (code === undefined) return undefined;
  if (shortString(error, "name") === "SqliteError") return `sqlite ${code}`;
  if (shortString(error, "severity") !== undefined) return `postgres ${code}`;
  return undefined;
}
