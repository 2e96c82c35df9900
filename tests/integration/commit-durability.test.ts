import { describe, expect, it } from "vitest";
import { db, driverAccess, relaxSqliteCommits } from "@/server/core/db";
import { writeDeliveryBatch } from "@/server/repositories/deliveries-driver";
import { testProvider } from "../support/test-database";

/*
 * The processing thread's SQLite connection commits with synchronous=NORMAL
 * (its worker bookkeeping skips the fsync); the ingest batch, which a webhook's
 * acknowledgement waits for, must still commit with FULL on that connection.
 * This file's shared connection is relaxed the way the processing thread's is.
 */
const SYNCHRONOUS_NORMAL = 1;
const SYNCHRONOUS_FULL = 2;

describe.skipIf(testProvider() !== "sqlite")("commit durability on a relaxed SQLite connection", () => {
  it("commits an ingest batch with synchronous=FULL and leaves the connection's other commits at NORMAL", async () => {
    relaxSqliteCommits();
    await db();
    const driver = await driverAccess();
    if (driver.provider !== "sqlite") throw new Error("SQLite only");
    // The connection itself, so the batch can read its setting from inside the transaction.
    const database = await driver.runExclusive((connection) => connection);
    const synchronous = () => Number(database.pragma("synchronous", { simple: true }));
    expect(synchronous()).toBe(SYNCHRONOUS_NORMAL);

    const seenInBatch: unknown[] = [];
    const now = new Date();
    await writeDeliveryBatch({
      now,
      events: [],
      deliveries: () => {
        seenInBatch.push(synchronous());
        return { rows: [], result: null };
      },
      ackTimes: [],
    });
    expect(seenInBatch).toEqual([SYNCHRONOUS_FULL]);
    expect(synchronous()).toBe(SYNCHRONOUS_NORMAL);

    // A batch that fails and rolls back restores the setting too.
    await expect(
      writeDeliveryBatch({
        now,
        events: [],
        deliveries: () => {
          throw new Error("deriving the deliveries failed");
        },
        ackTimes: [],
      }),
    ).rejects.toThrow("deriving the deliveries failed");
    expect(synchronous()).toBe(SYNCHRONOUS_NORMAL);
  });
});
