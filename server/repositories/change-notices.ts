import "server-only";
import pg from "pg";
import { currentProvider, db } from "@/server/core/db";

/** The PostgreSQL channel that tells every instance a change notice was committed; the payload is the notice id, nothing else. */
export const CHANGE_CHANNEL = "rxwatch_changes";

/**
 * Stores notices and returns them with their ids. On PostgreSQL it then
 * NOTIFYs {@link CHANGE_CHANNEL} with the highest id: each insert has
 * committed by then, and a listener reads the rows themselves, so one
 * notification per batch is enough and the payload carries an id only.
 */
export async function insertChangeNotices(notices: readonly { kind: string; key: string }[]): Promise<{ id: number; kind: string; key: string }[]> {
  if (notices.length === 0) return [];
  const client = await db();
  // One statement, so one commit: the worker publishes a notice per order it changed, and on SQLite each commit is an fsync.
  const created = (await client.changeNotice.createManyAndReturn({ data: notices.map(({ kind, key }) => ({ kind, key })), select: { id: true, kind: true, key: true } })).sort((a, b) => a.id - b.id);
  const highest = created.reduce((max, notice) => Math.max(max, notice.id), 0);
  if (highest > 0 && currentProvider() === "postgresql") await client.$executeRaw`SELECT pg_notify(${CHANGE_CHANNEL}, ${String(highest)})`;
  return created;
}

/** Notices after `afterId`, oldest first. */
export async function listChangeNoticesAfter(afterId: number, take: number) {
  return (await db()).changeNotice.findMany({ where: { id: { gt: afterId } }, orderBy: { id: "asc" }, take, select: { id: true, kind: true, key: true } });
}

/** The notices among `ids` that exist now (ids that were missing when a later id was read: their insert had not committed yet). */
export async function listChangeNoticesById(ids: readonly number[]) {
  if (ids.length === 0) return [];
  return (await db()).changeNotice.findMany({ where: { id: { in: [...ids] } }, orderBy: { id: "asc" }, select: { id: true, kind: true, key: true } });
}

export async function latestChangeNoticeId(): Promise<number> {
  const row = await (await db()).changeNotice.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  return row?.id ?? 0;
}

export async function deleteChangeNoticesBefore(cutoff: Date): Promise<number> {
  const { count } = await (await db()).changeNotice.deleteMany({ where: { createdAt: { lt: cutoff } } });
  return count;
}

export interface ChangeListenerHandlers {
  /** A notice up to `id` was committed somewhere. */
  onNotification(id: number): void;
  /** LISTEN is active (first time or after a reconnect): notifications sent while it was not are lost, so catch up from the table. */
  onListening(): void;
}

export interface ChangeListener {
  stop(): Promise<void>;
}

const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * Holds one dedicated connection that LISTENs on {@link CHANGE_CHANNEL}
 * (a pooled connection cannot: the pool would hand it to other queries and
 * LISTEN would go with it). Reconnects with doubling back-off after the
 * connection drops. `onError` gets the error's name only.
 */
export function listenForChangeNotices(url: string, handlers: ChangeListenerHandlers, onError: (reason: string) => void): ChangeListener {
  let isStopped = false;
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let delay = RECONNECT_FIRST_MS;

  const scheduleReconnect = () => {
    if (isStopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  async function connect(): Promise<void> {
    const candidate = new pg.Client({ connectionString: url, application_name: "rxwatch-listen", keepAlive: true });
    let isLost = false;
    const lose = (error?: Error) => {
      if (isLost) return;
      isLost = true;
      if (client === candidate) client = null;
      if (!isStopped) onError(error?.name ?? "connection ended");
      void candidate.end().catch(() => undefined);
      scheduleReconnect();
    };
    candidate.on("error", lose);
    candidate.on("end", () => lose());
    candidate.on("notification", (message) => {
      if (message.channel !== CHANGE_CHANNEL) return;
      const id = Number(message.payload);
      if (Number.isSafeInteger(id) && id > 0) handlers.onNotification(id);
    });
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      lose(error instanceof Error ? error : undefined);
      return;
    }
    if (isStopped) {
      await candidate.end().catch(() => undefined);
      return;
    }
    client = candidate;
    delay = RECONNECT_FIRST_MS;
    handlers.onListening();
  }

  void connect();
  return {
    async stop() {
      isStopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}
