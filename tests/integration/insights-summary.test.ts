import { beforeAll, describe, expect, it } from "vitest";
import { DURATION_BUCKET_BOUNDS_S } from "@/lib/insights";
import { createRandom, integerBetween, pick } from "@/emulator/random";
import { db } from "@/server/core/db";
import {
  countFurthestStages,
  countOrdersPerDayAndStage,
  countPharmacyOutcomes,
  countStageDurations,
  countTimeToShip,
  type InsightsFilter,
} from "@/server/repositories/insights";
import { deleteExpiredOrdersBatch } from "@/server/repositories/retention";
import { upsertOrderRows, type OrderWrite } from "@/server/repositories/orders";

/*
 * The Insights queries read summary tables that database triggers keep in
 * step with the `order` rows. Each check recomputes every chart's numbers
 * from the order rows themselves and expects the summary to say the same,
 * after first writes, a replay of the same rows, changed facts and a purge.
 */

const DAY_MS = 86_400_000;
const now = new Date();
const today = Math.floor(now.getTime() / DAY_MS);
const PHARMACIES = ["Apotheke Nord", "Apotheke Süd", "Löwen-Apotheke", null] as const;
const STAGES = ["ordered", "prescription_approved", "sent_to_pharmacy", "in_pharmacy", "shipped", "completed", "cancelled", "declined"] as const;
const DURATION_COLUMNS = {
  ordered: "orderedSeconds",
  prescription_approved: "prescriptionApprovedSeconds",
  prescription_signed: "prescriptionSignedSeconds",
  sent_to_pharmacy: "sentToPharmacySeconds",
  in_pharmacy: "inPharmacySeconds",
  shipped: "shippedSeconds",
} as const;
const random = createRandom(16_011);

/** A duration somewhere from seconds to beyond the last bucket bound, or none. */
function duration(): number | null {
  if (random() < 0.2) return null;
  return Math.round(Math.exp(random() * Math.log(120 * 86_400)));
}

function orderRow(index: number, ageDays: number): OrderWrite {
  const firstEventAt = new Date((today - ageDays) * DAY_MS + integerBetween(random, 0, DAY_MS - 1));
  return {
    orderUid: `ord-sum-${index}`,
    stage: pick(random, STAGES),
    status: "x",
    stageSince: firstEventAt,
    firstEventAt,
    lastEventAt: firstEventAt,
    pharmacyName: pick(random, PHARMACIES),
    entities: "{}",
    eventCount: 1,
    furthestStage: random() < 0.1 ? null : pick(random, ["ordered", "sent_to_pharmacy", "in_pharmacy", "shipped", "completed"]),
    wentOutOfStock: random() < 0.15,
    orderedSeconds: duration(),
    prescriptionApprovedSeconds: duration(),
    prescriptionSignedSeconds: duration(),
    sentToPharmacySeconds: duration(),
    inPharmacySeconds: duration(),
    shippedSeconds: duration(),
    toShipSeconds: duration(),
  };
}

function bucketOf(seconds: number): number {
  const index = DURATION_BUCKET_BOUNDS_S.findIndex((bound) => seconds < bound);
  return index === -1 ? DURATION_BUCKET_BOUNDS_S.length : index;
}

const sorted = <T>(rows: T[]) => rows.map((row) => JSON.stringify(row)).sort();
function tally(keys: string[]): string[] {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].map(([key, count]) => `${key}|${count}`).sort();
}

/** Every chart query's answer for `filter`, from the summary (as the page reads it) and from the order rows. */
async function bothWays(filter: InsightsFilter) {
  const firstDay = Math.floor(filter.from.getTime() / DAY_MS);
  const lastDay = Math.floor((filter.to.getTime() - 1) / DAY_MS);
  const orders = (await (await db()).order.findMany()).filter((order) => {
    const day = Math.floor(order.firstEventAt.getTime() / DAY_MS);
    return day >= firstDay && day <= lastDay && (filter.pharmacy === undefined || order.pharmacyName === filter.pharmacy);
  });
  const histogram = (rows: { stage: string; pharmacy: string | null; bucket: number; count: number }[]) =>
    tally(rows.flatMap((row) => Array.from({ length: row.count }, () => `${row.stage}|${row.pharmacy}|${row.bucket}`)));
  const pharmacies = new Map<string | null, { orders: number; cancelled: number; outOfStock: number }>();
  for (const order of orders) {
    const entry = pharmacies.get(order.pharmacyName) ?? { orders: 0, cancelled: 0, outOfStock: 0 };
    entry.orders += 1;
    if (order.stage === "cancelled" || order.stage === "declined") entry.cancelled += 1;
    if (order.wentOutOfStock) entry.outOfStock += 1;
    pharmacies.set(order.pharmacyName, entry);
  }
  return {
    summary: {
      perDay: tally((await countOrdersPerDayAndStage(filter)).flatMap((row) => Array.from({ length: row.count }, () => `${row.bucket}|${row.stage}`))),
      durations: histogram(await countStageDurations(filter)),
      toShip: histogram(await countTimeToShip(filter)),
      outcomes: sorted((await countPharmacyOutcomes(filter)).filter((row) => row.orders > 0)),
      funnel: tally((await countFurthestStages(filter)).flatMap((row) => Array.from({ length: row.count }, () => `${row.furthestStage}|${row.stage}`))),
    },
    orders: {
      perDay: tally(orders.map((order) => `${Math.floor(order.firstEventAt.getTime() / DAY_MS)}|${order.stage}`)),
      durations: tally(
        orders.flatMap((order) =>
          Object.entries(DURATION_COLUMNS).flatMap(([stage, column]) => {
            const seconds = order[column];
            return seconds === null ? [] : [`${stage}|${order.pharmacyName}|${bucketOf(seconds)}`];
          }),
        ),
      ),
      toShip: tally(orders.flatMap((order) => (order.toShipSeconds === null ? [] : [`to_ship|${order.pharmacyName}|${bucketOf(order.toShipSeconds)}`]))),
      outcomes: sorted([...pharmacies].map(([pharmacy, entry]) => ({ pharmacy, ...entry }))),
      funnel: tally(orders.map((order) => `${order.furthestStage}|${order.stage}`)),
    },
  };
}

const window = (days: number, pharmacy?: string): InsightsFilter => ({ from: new Date((today - days + 1) * DAY_MS), to: now, pharmacy });
const FILTERS = [window(7), window(30), window(90), window(90, "Apotheke Nord"), window(400)];

async function expectSummaryEqualsOrders(): Promise<void> {
  for (const filter of FILTERS) {
    const { summary, orders } = await bothWays(filter);
    expect(summary).toEqual(orders);
  }
}

const rows = Array.from({ length: 240 }, (_, index) => orderRow(index, integerBetween(random, 0, 120)));

beforeAll(async () => {
  for (let at = 0; at < rows.length; at += 60) await upsertOrderRows(rows.slice(at, at + 60));
});

describe("Insights summary tables", () => {
  it("count every order the way the order rows do", async () => {
    expect((await bothWays(window(400))).orders.perDay.length).toBeGreaterThan(100);
    await expectSummaryEqualsOrders();
  });

  it("count a replayed order once, also in a statement that inserts other orders", async () => {
    await upsertOrderRows(rows);
    await upsertOrderRows([...rows.slice(0, 10), ...Array.from({ length: 5 }, (_, index) => orderRow(rows.length + index, index))]);
    await expectSummaryEqualsOrders();
  });

  it("move an order's counts when its facts change: stage, pharmacy, first day, durations", async () => {
    const changed = rows.slice(0, 80).map((row, index) => {
      const other = orderRow(index, integerBetween(random, 0, 120));
      return { ...other, orderUid: row.orderUid, ...(index % 4 === 0 ? { pharmacyName: row.pharmacyName, firstEventAt: row.firstEventAt } : {}) };
    });
    await upsertOrderRows(changed);
    await expectSummaryEqualsOrders();
  });

  it("forget the orders the retention purge deletes", async () => {
    const cutoff = new Date((today - 60) * DAY_MS);
    let purged = 0;
    for (let cursor = null, first = true; first || cursor; first = false) {
      const batch = await deleteExpiredOrdersBatch(cutoff, cursor, 25);
      purged += batch.orders;
      cursor = batch.next;
    }
    expect(purged).toBeGreaterThan(20);
    await expectSummaryEqualsOrders();
    const leftover = await (await db()).$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "insights_order_count" WHERE "count" = 0`;
    expect(Number(leftover[0]?.n)).toBe(0);
  });
});
