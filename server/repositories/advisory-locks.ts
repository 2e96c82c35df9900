import "server-only";
import pg from "pg";

/*
 * PostgreSQL advisory locks on a dedicated connection. Prisma's pg adapter
 * hands each query to any connection of its pool, and a session-level
 * advisory lock belongs to the connection that took it, so locks that must
 * outlive one query live on their own `pg.Client` here. When that connection
 * ends, for whatever reason (the instance died, the network dropped),
 * PostgreSQL releases every lock it held, and another instance can take over.
 */

/** First half of every RxWatch advisory lock key ("RXWT"); the migrator's single-key lock cannot collide with a two-key one. */
const LOCK_NAMESPACE = 0x52585754;

/** The second half of the key: FNV-1a of the name as a signed 32-bit integer (what `int4` accepts). */
export function lockObjectId(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

export interface LockSession {
  /** Takes the lock named `name` if no other session holds it; never waits. Re-entrant within this session. */
  tryLock(name: string): Promise<boolean>;
  /** Waits until the lock named `name` is free, then takes it. */
  lock(name: string): Promise<void>;
  /** Whether this session still holds `name` according to PostgreSQL; throws when the connection is gone. */
  holds(name: string): Promise<boolean>;
  unlock(name: string): Promise<void>;
  /** Ends the connection, which releases whatever it still held. Safe to call twice. */
  close(): Promise<void>;
  /** Whether the connection was lost or closed: every lock it held is gone. */
  isClosed(): boolean;
}

/** Opens a dedicated connection for advisory locks. `onLost` is called once if the connection fails later. */
export async function openLockSession(url: string, onLost: () => void = () => undefined): Promise<LockSession> {
  const client = new pg.Client({ connectionString: url, application_name: "rxwatch-locks", keepAlive: true });
  let isClosed = false;
  const lose = () => {
    if (isClosed) return;
    isClosed = true;
    onLost();
  };
  // Without a listener a dropped idle connection would crash the process.
  client.on("error", lose);
  client.on("end", lose);
  await client.connect();
  const key = (name: string) => [LOCK_NAMESPACE, lockObjectId(name)];
  return {
    async tryLock(name) {
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS locked", key(name));
      return rows[0]?.locked === true;
    },
    async lock(name) {
      await client.query("SELECT pg_advisory_lock($1, $2)", key(name));
    },
    async holds(name) {
      const [classId, objectId] = key(name);
      // Two-key advisory locks show up with objsubid 2; classid/objid are oids, hence the casts of the signed keys.
      const { rows } = await client.query<{ held: boolean }>(
        `SELECT EXISTS (
           SELECT 1 FROM pg_locks
           WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 2
             AND classid = ($1::int4)::bigint::oid AND objid = (($2::int4)::bigint & 4294967295)::oid
         ) AS held`,
        [classId, objectId],
      );
      return rows[0]?.held === true;
    },
    async unlock(name) {
      await client.query("SELECT pg_advisory_unlock($1, $2)", key(name));
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      await client.end().catch(() => undefined);
    },
    isClosed: () => isClosed,
  };
}
