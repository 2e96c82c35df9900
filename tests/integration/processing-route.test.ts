import { afterAll, describe, expect, it } from "vitest";
import { POST as reprocess } from "@/app/api/events/[id]/reprocess/route";
import { reprocessResultDtoSchema } from "@/lib/processing";
import { createApiToken } from "@/server/auth/tokens";
import { createDb } from "@/server/core/db";
import { createWebhookEvent } from "../support/factories";
import { testProvider } from "../support/test-database";

const ORIGIN = "http://rxwatch.test";
const client = createDb(process.env.DATABASE_URL ?? "");

afterAll(async () => {
  await client.$disconnect();
});

function post(id: string, secret: string): Promise<Response> {
  return reprocess(new Request(`${ORIGIN}/api/events/${encodeURIComponent(id)}/reprocess`, { method: "POST", headers: { authorization: `Bearer ${secret}` } }), {
    params: Promise.resolve({ id }),
  });
}

describe(`POST /api/events/:id/reprocess on ${testProvider()}`, () => {
  it("lets support queue a dead event again and answers with its new state", async () => {
    const { secret } = await createApiToken({ name: "support desk", role: "support" }, null);
    const { id } = await createWebhookEvent(client, { status: "dead", attempts: 8, lastError: "invalid_payload: data.uid: invalid_type (expected string)" });

    const response = await post(id, secret);

    expect(response.status).toBe(200);
    const body = reprocessResultDtoSchema.parse(await response.json());
    expect(body).toMatchObject({ id, status: "pending", previousStatus: "dead" });
    expect(await client.webhookEvent.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "pending", attempts: 0, lastError: null });
  });

  it("refuses staff with 403 and leaves the event alone", async () => {
    const { secret } = await createApiToken({ name: "front desk", role: "staff" }, null);
    const { id } = await createWebhookEvent(client, { status: "dead", attempts: 8 });

    const response = await post(id, secret);

    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe("forbidden");
    expect((await client.webhookEvent.findUniqueOrThrow({ where: { id } })).status).toBe("dead");
  });

  it("answers 404 for an unknown event and 401 without credentials", async () => {
    const { secret } = await createApiToken({ name: "support two", role: "support" }, null);
    const missing = await post("no-such-event", secret);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    const anonymous = await reprocess(new Request(`${ORIGIN}/api/events/x/reprocess`, { method: "POST" }), { params: Promise.resolve({ id: "x" }) });
    expect(anonymous.status).toBe(401);
  });
});
