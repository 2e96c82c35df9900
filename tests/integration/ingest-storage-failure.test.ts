import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import { POST } from "@/app/api/webhooks/rxscale/route";
import { createDb } from "@/server/core/db";
import { PATIENT_NAME, envelopeBody, newOrderUid, orderData, readWebhookResponse, webhookRequest } from "../fixtures/rxscale-webhooks";
import { testProvider, type TestProvider } from "../support/test-database";

/*
 * When RxWatch cannot store, it must not acknowledge: the answer is 503 so
 * RxScale retries, and nothing is half-stored. Storage failures are made real
 * with a trigger that aborts inserts (on every row, or only on one "poison"
 * event), which works the same on SQLite and PostgreSQL.
 */

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_storage_failure_0001";
  // A wide window so concurrent test deliveries share one batch.
  process.env.RXWATCH_INGEST_BATCH_WINDOW_MS = "20";
  return "whsec_storage_failure_0001";
});

const provider: TestProvider = testProvider();
const client = createDb(process.env.DATABASE_URL ?? "");

let logLines: MockInstance<typeof process.stderr.write>;

beforeAll(() => {
  logLines = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});

afterAll(async () => {
  // Failures are logged with ids and codes only: a database error can quote the statement's values.
  const logged = logLines.mock.calls.map((call) => String(call[0])).join("\n");
  expect(logged).toContain("could not store a webhook delivery");
  expect(logged).not.toContain(PATIENT_NAME);
  logLines.mockRestore();
  await client.$disconnect();
});

afterEach(async () => {
  await dropFailures();
});

/** Makes every insert into `table` fail, or only those whose data_uid is `poisonUid`. */
async function failInserts(table: "webhook_event" | "delivery", poisonUid?: string): Promise<void> {
  const condition = poisonUid === undefined ? "" : `WHEN (NEW.data_uid = '${poisonUid}')`;
  if (provider === "sqlite") {
    await client.$executeRawUnsafe(`CREATE TRIGGER "fail_${table}" BEFORE INSERT ON "${table}" ${poisonUid === undefined ? "" : `WHEN NEW.data_uid = '${poisonUid}'`} BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END`);
    return;
  }
  await client.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION "fail_insert"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated storage failure'; END $$`);
  await client.$executeRawUnsafe(`CREATE TRIGGER "fail_${table}" BEFORE INSERT ON "${table}" FOR EACH ROW ${condition} EXECUTE FUNCTION "fail_insert"()`);
}

async function dropFailures(): Promise<void> {
  for (const table of ["webhook_event", "delivery"]) {
    await client.$executeRawUnsafe(provider === "sqlite" ? `DROP TRIGGER IF EXISTS "fail_${table}"` : `DROP TRIGGER IF EXISTS "fail_${table}" ON "${table}"`);
  }
}

async function send(body: string, secret = SECRET) {
  return readWebhookResponse(await POST(webhookRequest(body, { secret })));
}

describe(`storage failures on ${provider}`, () => {
  it("answers 503 storage_unavailable and stores nothing when the event cannot be written; the retry is accepted", async () => {
    const uid = newOrderUid();
    const body = envelopeBody({ data: orderData(uid) });
    const deliveriesBefore = await client.delivery.count();
    await failInserts("webhook_event");

    const failed = await send(body);
    expect(failed.status).toBe(503);
    expect(failed.errorCode).toBe("storage_unavailable");
    expect(await client.webhookEvent.count({ where: { dataUid: uid } })).toBe(0);
    expect(await client.delivery.count()).toBe(deliveriesBefore);

    await dropFailures();
    const retried = await send(body);
    expect(retried.status).toBe(200);
    expect(retried.json.status).toBe("accepted");
    expect(await client.webhookEvent.count({ where: { dataUid: uid } })).toBe(1);
  });

  it("still answers a client's mistake with its 4xx while storage is down", async () => {
    await failInserts("delivery");
    const wrongSecret = await send(envelopeBody(), "whsec_not_configured");
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.errorCode).toBe("bad_signature");

    const valid = await send(envelopeBody());
    expect(valid.status).toBe(503);
  });

  it("answers 503 to a signed body it would quarantine while storage is down, so nothing authentic is lost", async () => {
    await failInserts("delivery");
    const notJson = await send("{");
    expect(notJson.status).toBe(503);
    expect(notJson.errorCode).toBe("storage_unavailable");

    await dropFailures();
    const retried = await send("{");
    expect(retried.status).toBe(200);
    expect(retried.json.status).toBe("quarantined");
  });

  it("does not let one unstorable delivery fail the others committed in the same batch", async () => {
    const poison = `po-poison-${randomUUID()}`;
    await failInserts("webhook_event", poison);
    const uids = [newOrderUid(), newOrderUid(), poison, newOrderUid(), newOrderUid()];
    const results = await Promise.all(uids.map((uid) => send(envelopeBody({ data: orderData(uid) }))));

    expect(results.map((result) => result.status)).toEqual([200, 200, 503, 200, 200]);
    for (const [index, uid] of uids.entries()) {
      expect(await client.webhookEvent.count({ where: { dataUid: uid } })).toBe(index === 2 ? 0 : 1);
    }
  });
});
