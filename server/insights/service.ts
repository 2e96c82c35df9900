import "server-only";
import { INSIGHTS_RANGE_DAYS, percentileOfBuckets, type InsightsDto, type InsightsQuery } from "@/lib/insights";
import { PROGRESS_STAGES, progressIndex, stageSchema } from "@/lib/lifecycle";
import { TIMED_STAGES, type TimedStage } from "@/lib/order-timings";
import {
  countFirstStuckPerDay,
  countOrdersPerDayAndStage,
  countPharmacyOutcomes,
  countFurthestStages,
  countStageDurations,
  countTimeToShip,
  type HistogramRow,
  type InsightsFilter,
} from "@/server/repositories/insights";

/** Pharmacies shown in the scorecards and the per-pharmacy stage times: the busiest ones (a filter shows any other). */
export const INSIGHTS_PHARMACY_LIMIT = 12;
const DAY_MS = 86_400_000;
const ENDED_STAGES = new Set(["completed", "cancelled", "declined"]);

function dayOf(bucket: number): string {
  return new Date(bucket * DAY_MS).toISOString().slice(0, 10);
}

/** Every UTC day from `from` up to `to`, so charts have no holes. */
function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let at = from.getTime(); at < to.getTime(); at += DAY_MS) days.push(dayOf(Math.floor(at / DAY_MS)));
  return days;
}

type Histogram = Map<number, number>;

function add(histogram: Histogram, row: HistogramRow): void {
  histogram.set(row.bucket, (histogram.get(row.bucket) ?? 0) + row.count);
}

function summarise(histogram: Histogram | undefined): { orders: number; medianSeconds: number | null; p90Seconds: number | null } {
  if (!histogram) return { orders: 0, medianSeconds: null, p90Seconds: null };
  let orders = 0;
  for (const value of histogram.values()) orders += value;
  return { orders, medianSeconds: percentileOfBuckets(histogram, 0.5), p90Seconds: percentileOfBuckets(histogram, 0.9) };
}

/** The window a range covers: whole UTC days ending with today, `now` as its end. */
export function insightsWindow(query: InsightsQuery, now: Date): InsightsFilter {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return { from: new Date(today - (INSIGHTS_RANGE_DAYS[query.range] - 1) * DAY_MS), to: now, pharmacy: query.pharmacy };
}

/** Everything the Insights page shows, for GET /api/insights; counts, durations and pharmacy names only. */
export async function getInsights(query: InsightsQuery, now: Date = new Date()): Promise<InsightsDto> {
  const filter = insightsWindow(query, now);
  const [perDay, durations, outcomes, toShip, reached, stuck] = [
    await countOrdersPerDayAndStage(filter),
    await countStageDurations(filter),
    await countPharmacyOutcomes(filter),
    await countTimeToShip(filter),
    await countFurthestStages(filter),
    await countFirstStuckPerDay(filter, now),
  ];
  const days = daysBetween(filter.from, filter.to);

  const ordersPerDay = new Map(days.map((day) => [day, { day, completed: 0, cancelled: 0, open: 0 }]));
  for (const row of perDay) {
    const entry = ordersPerDay.get(dayOf(row.bucket));
    if (!entry) continue;
    if (row.stage === "completed") entry.completed += row.count;
    else if (row.stage === "cancelled" || row.stage === "declined") entry.cancelled += row.count;
    else entry.open += row.count;
  }

  const pharmacies = outcomes
    .flatMap((row) => (row.pharmacy === null ? [] : [{ ...row, pharmacy: row.pharmacy }]))
    .sort((a, b) => b.orders - a.orders || a.pharmacy.localeCompare(b.pharmacy))
    .slice(0, INSIGHTS_PHARMACY_LIMIT);

  const overall = new Map<TimedStage, Histogram>();
  const byPharmacy = new Map<string, Map<string, Histogram>>();
  for (const row of durations) {
    const stage = TIMED_STAGES.find((candidate) => candidate === row.stage);
    if (!stage) continue;
    const all = overall.get(stage) ?? new Map<number, number>();
    overall.set(stage, all);
    add(all, row);
    if (row.pharmacy === null) continue;
    const stages = byPharmacy.get(row.pharmacy) ?? new Map<string, Histogram>();
    byPharmacy.set(row.pharmacy, stages);
    const histogram = stages.get(stage) ?? new Map<number, number>();
    stages.set(stage, histogram);
    add(histogram, row);
  }
  const shipByPharmacy = new Map<string, Histogram>();
  for (const row of toShip) {
    if (row.pharmacy === null) continue;
    const histogram = shipByPharmacy.get(row.pharmacy) ?? new Map<number, number>();
    shipByPharmacy.set(row.pharmacy, histogram);
    add(histogram, row);
  }

  const reachedAtLeast = PROGRESS_STAGES.map(() => 0);
  const stoppedOpen = PROGRESS_STAGES.map(() => 0);
  let total = 0;
  for (const row of reached) {
    total += row.count;
    const furthest = row.furthestStage === null ? 0 : Math.max(0, progressIndex(stageSchema.catch("other").parse(row.furthestStage)));
    for (let index = 1; index <= furthest; index += 1) reachedAtLeast[index] = (reachedAtLeast[index] ?? 0) + row.count;
    if (!ENDED_STAGES.has(row.stage)) stoppedOpen[furthest] = (stoppedOpen[furthest] ?? 0) + row.count;
  }
  reachedAtLeast[0] = total;

  const stuckPerDay = new Map(days.map((day) => [day, { day, stillStuck: 0, recovered: 0 }]));
  for (const row of stuck) {
    const entry = stuckPerDay.get(dayOf(row.bucket));
    if (!entry) continue;
    if (row.stillStuck === 1) entry.stillStuck += row.count;
    else entry.recovered += row.count;
  }

  return {
    range: query.range,
    pharmacy: query.pharmacy ?? null,
    from: filter.from.toISOString(),
    to: filter.to.toISOString(),
    ordersPerDay: [...ordersPerDay.values()],
    stageTimes: {
      overall: TIMED_STAGES.map((stage) => ({ stage, ...summarise(overall.get(stage)) })),
      byPharmacy: pharmacies.map(({ pharmacy }) => ({ pharmacy, stages: TIMED_STAGES.map((stage) => ({ stage, ...summarise(byPharmacy.get(pharmacy)?.get(stage)) })) })),
    },
    scorecards: pharmacies.map((row) => {
      const ship = summarise(shipByPharmacy.get(row.pharmacy));
      return {
        pharmacy: row.pharmacy,
        orders: row.orders,
        shipped: ship.orders,
        medianToShipSeconds: ship.medianSeconds,
        p90ToShipSeconds: ship.p90Seconds,
        cancellationRate: row.orders === 0 ? 0 : row.cancelled / row.orders,
        outOfStockRate: row.orders === 0 ? 0 : row.outOfStock / row.orders,
      };
    }),
    funnel: PROGRESS_STAGES.map((stage, index) => ({
      stage,
      reached: reachedAtLeast[index] ?? 0,
      dropOff: index === 0 ? 0 : (reachedAtLeast[index - 1] ?? 0) - (reachedAtLeast[index] ?? 0),
      stoppedOpen: stoppedOpen[index] ?? 0,
    })),
    stuckPerDay: [...stuckPerDay.values()],
  };
}
