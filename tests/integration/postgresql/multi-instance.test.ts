import { afterAll, describe, expect, it, vi } from "vitest";
import pg from "pg";
import { instanceRunners, testDatabaseUrl } from "@/tests/support/instances";
import { publishChanges, stopChangePump, subscribeToChanges, type SequencedNotice } from "@/server/live/notices";
import { CHANGE_CHANNEL, insertChangeNotices, listenForChangeNotices } from "@/server/repositories/change-notices";

/*
 * What only PostgreSQL does for several instances (the SQLite integration run
 * leaves this folder out): timers move when the leader's session dies, and
 * live notices travel by LISTEN/NOTIFY. Several
 * instances on one database, played inside one test process: each
 * ExclusiveRunner stands for one instance's timers (on PostgreSQL each has
 * its own lock connection, exactly as separate processes would), and plain
 * pg clients stand for other instances writing change notices.
 */

const url = testDatabaseUrl;
const { instance, releaseAll } = instanceRunners();

afterAll(async () => {
  await releaseAll();
  await stopChangePump();
});

describe("timers move between instances", () => {
  it("moves the timer to another instance when the leader's connection dies", async () => {
    const [a, b] = [instance(), instance()];
    expect((await a.runExclusive("test:crash", async () => undefined)).ran).toBe(true);
    const admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    try {
      // The instance holding the lock "crashes": PostgreSQL ends its session and with it the lock.
      const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2`);
      expect(rows.length).toBeGreaterThan(0);
      for (const { pid } of rows) await admin.query("SELECT pg_terminate_backend($1)", [pid]);
    } finally {
      await admin.end();
    }
    await vi.waitFor(async () => expect((await b.runExclusive("test:crash", async () => undefined)).ran).toBe(true));
    // The old leader learns it lost the lock instead of running alongside.
    expect((await a.runExclusive("test:crash", async () => undefined)).ran).toBe(false);
  });
});

describe("live notices across instances (PostgreSQL LISTEN/NOTIFY)", () => {
  /** Writes a notice as another instance would: its own connection, its own NOTIFY carrying only the id. */
  async function insertElsewhere(client: pg.Client, key: string): Promise<number> {
    const { rows } = await client.query<{ id: number }>(`INSERT INTO change_notice (kind, key) VALUES ('order', $1) RETURNING id`, [key]);
    const id = rows[0]?.id;
    if (id === undefined) throw new Error("no id");
    return id;
  }
  const notify = (client: pg.Client, id: number) => client.query("SELECT pg_notify($1, $2)", [CHANGE_CHANNEL, String(id)]);

  it("notifies with the notice id only, and listens again after its connection is cut", async () => {
    const payloads: number[] = [];
    let listening = 0;
    const listener = listenForChangeNotices(url(), { onNotification: (id) => payloads.push(id), onListening: () => listening++ }, () => undefined);
    try {
      await vi.waitFor(() => expect(listening).toBe(1));
      const [first] = await insertChangeNotices([{ kind: "order", key: "ord-notify-1" }]);
      await vi.waitFor(() => expect(payloads).toContain(first?.id));

      const admin = new pg.Client({ connectionString: url() });
      await admin.connect();
      try {
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rxwatch-listen' AND datname = current_database()`);
      } finally {
        await admin.end();
      }
      await vi.waitFor(() => expect(listening).toBe(2), { timeout: 10_000 });
      const [second] = await insertChangeNotices([{ kind: "order", key: "ord-notify-2" }]);
      await vi.waitFor(() => expect(payloads).toContain(second?.id));
    } finally {
      await listener.stop();
    }
  });

  it("delivers notices written by another instance to this instance's streams, including one that committed after a later id", async () => {
    const seen: SequencedNotice[] = [];
    const unsubscribe = subscribeToChanges((notice) => seen.push(notice));
    const slow = new pg.Client({ connectionString: url() });
    const fast = new pg.Client({ connectionString: url() });
    await Promise.all([slow.connect(), fast.connect()]);
    try {
      await publishChanges([{ kind: "order", key: "ord-local" }]);
      expect(seen.map((notice) => notice.key)).toContain("ord-local");

      // Instance X takes an id but commits late; instance Y takes the next id and commits first.
      await slow.query("BEGIN");
      const lateId = await insertElsewhere(slow, "ord-late");
      const earlyId = await insertElsewhere(fast, "ord-early");
      expect(earlyId).toBeGreaterThan(lateId);
      await notify(fast, earlyId);
      await vi.waitFor(() => expect(seen.map((notice) => notice.key)).toContain("ord-early"));
      await slow.query("COMMIT");
      await notify(slow, lateId);
      await vi.waitFor(() => expect(seen.map((notice) => notice.key)).toContain("ord-late"));
      // Each notice reaches the stream once: the local one is not echoed back by the pump.
      await publishChanges([{ kind: "order", key: "ord-after" }]);
      expect(seen.map((notice) => notice.key)).toContain("ord-after");
      // Once another instance's later notice arrived, the pump has read past ord-after too.
      await notify(fast, await insertElsewhere(fast, "ord-marker"));
      await vi.waitFor(() => expect(seen.map((notice) => notice.key)).toContain("ord-marker"));
      const keys = seen.map((notice) => notice.key);
      expect(keys.length).toBe(new Set(keys).size);
    } finally {
      unsubscribe();
      await Promise.all([slow.end(), fast.end()]);
    }
  });
});
