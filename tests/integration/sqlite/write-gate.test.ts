import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { db, shareSqliteWriteGate, sqliteFilePath } from "@/server/core/db";
import { createWriteGate, type WriteGate } from "@/server/core/write-gate";
import { commitDeliveries } from "@/server/repositories/deliveries";
import { deliveryWrite } from "../../support/factories";

/*
 * With the processing thread, two connections write to one SQLite file
 * (server/core/write-gate.ts). Here a second connection on this same thread
 * stands for the processing thread: if a main-thread write ever waited inside
 * SQLite for it, the wait would block this event loop, the timer that lets the
 * other connection finish could not run, and the write would fail with
 * SQLITE_BUSY after the busy timeout.
 */

const opened: Database.Database[] = [];
afterEach(() => {
  shareSqliteWriteGate(null);
  for (const connection of opened.splice(0)) connection.close();
});

/** The processing thread's side: its own connection, and the gate on the same shared memory. */
function otherThread(gate: WriteGate): { connection: Database.Database; gate: WriteGate } {
  const connection = new Database(sqliteFilePath(process.env.DATABASE_URL ?? ""), { timeout: 5_000 });
  opened.push(connection);
  return { connection, gate: createWriteGate(gate.buffer) };
}


const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the SQLite write gate between the main thread and the processing thread", () => {
  it("an ingest commit and a Prisma transaction wait for the other connection's write without blocking the event loop", async () => {
    const gate = createWriteGate();
    shareSqliteWriteGate({ gate, isGatingAutocommitWrites: false });
    const client = await db();
    const other = otherThread(gate);
    const leave = await other.gate.acquire();
    other.connection.prepare("BEGIN IMMEDIATE").run();

    const finished: string[] = [];
    const ingest = commitDeliveries([deliveryWrite({ rejection: { reasonCode: "bad_signature", httpStatus: 401 } })]).then(() => finished.push("ingest commit"));
    const transaction = client.$transaction(async (tx) => tx.delivery.count()).then(() => finished.push("transaction"));
    await later(50);
    finished.push("other connection");
    other.connection.prepare("COMMIT").run();
    leave();
    await Promise.all([ingest, transaction]);
    expect(finished).toEqual(["other connection", "ingest commit", "transaction"]);
  });

  it("holds the write lock from BEGIN, so the other connection cannot commit between a transaction's read and its write", async () => {
    const gate = createWriteGate();
    shareSqliteWriteGate({ gate, isGatingAutocommitWrites: false });
    const client = await db();
    const other = otherThread(gate);
    const order: string[] = [];
    await client.$transaction(async (tx) => {
      await tx.delivery.count();
      // The other thread waits for its turn…
      void other.gate.acquire().then((leave) => {
        order.push("other thread's turn");
        leave();
      });
      // …and even a writer that ignored the gate could not take the lock meanwhile.
      const bare = new Database(sqliteFilePath(process.env.DATABASE_URL ?? ""), { timeout: 0 });
      opened.push(bare);
      expect(() => bare.prepare("BEGIN IMMEDIATE").run()).toThrow(/database is locked/);
      await later(30);
      order.push("transaction done");
    });
    await later(30);
    expect(order).toEqual(["transaction done", "other thread's turn"]);
  });

  it("in the processing thread, a write outside any transaction waits for its turn too", async () => {
    const gate = createWriteGate();
    shareSqliteWriteGate({ gate, isGatingAutocommitWrites: true });
    const client = await db();
    await client.delivery.count();
    const other = otherThread(gate);
    const leave = await other.gate.acquire();
    other.connection.prepare("BEGIN IMMEDIATE").run();

    const finished: string[] = [];
    const write = client.delivery.updateMany({ where: { id: "none" }, data: { ackMs: 1 } }).then(() => finished.push("autocommit write"));
    await later(50);
    finished.push("other connection");
    other.connection.prepare("COMMIT").run();
    leave();
    await write;
    expect(finished).toEqual(["other connection", "autocommit write"]);
  });
});
