import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postWebhook } from "@/app/api/webhooks/rxscale/route";
import { GET as getInsights } from "@/app/api/insights/route";
import { createInboxWorker } from "@/server/processing/worker";
import { createApiToken } from "@/server/auth/tokens";
import { insightsDtoSchema } from "@/lib/insights";
import { webhookRequest } from "../fixtures/rxscale-webhooks";

const SECRET = vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_insights_test_secret_01";
  return "whsec_insights_test_secret_01";
});
const worker = createInboxWorker({ concurrency: 2, pollMs: 60_000, leaseMs: 30_000, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 100 } });
const HOUR = 3600;
/** Two days ago, on the hour: inside every range, whatever the time of day. */
const start = Math.floor(Date.now() / 1000 / HOUR) * HOUR - 48 * HOUR;
let staffToken = "";

async function send(eventType: string, at: number, data: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({ event_type: eventType, timestamp: at, payload_version: "1", data: { updated_at: at, ...data } });
  expect((await postWebhook(webhookRequest(body, { secret: SECRET }))).status).toBe(200);
}

function pharmacyOrder(orderUid: string, pharmacy: string, status: string) {
  return {
    uid: `po-${orderUid}`,
    status,
    pharmacy: { uid: `ph-${pharmacy}`, display_name: pharmacy },
    order: { uid: orderUid, delivery_address: { first_name: "Erika", last_name: "Beispiel" } },
    patient_data: { uid: `pat-${orderUid}`, display_name: "Erika Beispiel", email: "erika@example.invalid", date_of_birth: "1985-06-30" },
  };
}

async function insights(search = "") {
  const response = await getInsights(new Request(`http://rxwatch.test/api/insights${search}`, { headers: { authorization: `Bearer ${staffToken}` } }), { params: Promise.resolve({}) });
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text).not.toMatch(/Erika|Beispiel|1985-06-30|erika@|pat-/);
  return insightsDtoSchema.parse(JSON.parse(text));
}

beforeAll(async () => {
  staffToken = (await createApiToken({ name: "staff", role: "staff" }, null)).secret;
  // Completed at Apotheke Nord: 2 h waiting for the doctor, 1 h to sign, 1 h to the pharmacy, shipped 4 h later, once out of stock.
  await send("order_created", start, { uid: "ord-ins-1", status: "waiting for doctor" });
  await send("order_updated", start + HOUR / 2, { uid: "ord-ins-1", status: "out of stock" });
  await send("prescription_approved", start + 2 * HOUR, { uid: "px-ins-1", order: { uid: "ord-ins-1" } });
  await send("prescription_signed", start + 3 * HOUR, { uid: "px-ins-1", order: { uid: "ord-ins-1" } });
  await send("pharmacy_order_created", start + 4 * HOUR, pharmacyOrder("ord-ins-1", "Apotheke Nord", "waiting for pharmacy"));
  await send("pharmacy_order_updated", start + 5 * HOUR, pharmacyOrder("ord-ins-1", "Apotheke Nord", "in-progress"));
  await send("pharmacy_order_updated", start + 8 * HOUR, pharmacyOrder("ord-ins-1", "Apotheke Nord", "ready_for_pickup"));
  await send("pharmacy_order_updated", start + 9 * HOUR, pharmacyOrder("ord-ins-1", "Apotheke Nord", "completed"));
  // Cancelled at Apotheke Süd after an hour in the pharmacy.
  await send("pharmacy_order_created", start + HOUR, pharmacyOrder("ord-ins-2", "Apotheke Süd", "waiting for pharmacy"));
  await send("pharmacy_order_updated", start + 2 * HOUR, pharmacyOrder("ord-ins-2", "Apotheke Süd", "cancelled"));
  // Waiting for a doctor since two days: over the 48 h budget, stuck now.
  await send("order_created", start, { uid: "ord-ins-3", status: "waiting for doctor" });
  await worker.drain();
});

describe("GET /api/insights", () => {
  it("reads stage times, scorecards, the funnel and stuck orders from the projected orders", async () => {
    const body = await insights("?range=7d");
    expect(body.ordersPerDay).toHaveLength(7);
    expect(body.ordersPerDay.reduce((sum, day) => sum + day.completed + day.cancelled + day.open, 0)).toBe(3);
    expect(body.ordersPerDay.reduce((sum, day) => sum + day.cancelled, 0)).toBe(1);

    const ordered = body.stageTimes.overall.find((row) => row.stage === "ordered");
    expect(ordered?.orders).toBe(1);
    // Estimated from 25 %-wide buckets: within 12 % of the true 2 h.
    expect(ordered?.medianSeconds).toBeGreaterThan(2 * HOUR * 0.88);
    expect(ordered?.medianSeconds).toBeLessThan(2 * HOUR * 1.12);

    const nord = body.scorecards.find((card) => card.pharmacy === "Apotheke Nord");
    expect(nord).toMatchObject({ orders: 1, shipped: 1, cancellationRate: 0, outOfStockRate: 1 });
    expect(nord?.medianToShipSeconds).toBeGreaterThan(8 * HOUR * 0.88);
    expect(nord?.medianToShipSeconds).toBeLessThan(8 * HOUR * 1.12);
    expect(body.scorecards.find((card) => card.pharmacy === "Apotheke Süd")).toMatchObject({ orders: 1, shipped: 0, cancellationRate: 1, outOfStockRate: 0 });

    expect(body.funnel.map((step) => step.reached)).toEqual([3, 2, 2, 2, 1, 1, 1]);
    expect(body.funnel.find((step) => step.stage === "ordered")).toMatchObject({ stoppedOpen: 1 });
    expect(body.stuckPerDay.reduce((sum, day) => sum + day.stillStuck, 0)).toBe(1);
  });

  it("narrows every chart to one pharmacy from the URL", async () => {
    const body = await insights("?range=30d&pharmacy=Apotheke%20S%C3%BCd");
    expect(body.pharmacy).toBe("Apotheke Süd");
    expect(body.ordersPerDay).toHaveLength(30);
    expect(body.scorecards.map((card) => card.pharmacy)).toEqual(["Apotheke Süd"]);
    expect(body.funnel[0]?.reached).toBe(1);
    expect(body.stuckPerDay.reduce((sum, day) => sum + day.stillStuck + day.recovered, 0)).toBe(0);
  });
});
