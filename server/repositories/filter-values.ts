import "server-only";
import { MAX_FILTER_VALUES, type SeenValue } from "@/lib/filter-values";
import { db } from "@/server/core/db";

/*
 * Distinct values with counts for the list pickers, each from an index
 * (order(status, …), order(pharmacy_name), webhook_event(event_type, …)).
 */

function toSeen(groups: { value: string | null; count: number }[]): SeenValue[] {
  return groups
    .flatMap((group) => (group.value === null || group.value === "" ? [] : [{ value: group.value, count: group.count }]))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    .slice(0, MAX_FILTER_VALUES);
}

/** Orders per current RxScale status. */
export async function countOrderStatuses(): Promise<SeenValue[]> {
  const groups = await (await db()).order.groupBy({ by: ["status"], _count: { _all: true } });
  return toSeen(groups.map((group) => ({ value: group.status, count: group._count._all })));
}

/** Orders per pharmacy name. */
export async function countOrderPharmacies(): Promise<SeenValue[]> {
  const groups = await (await db()).order.groupBy({ by: ["pharmacyName"], _count: { _all: true } });
  return toSeen(groups.map((group) => ({ value: group.pharmacyName, count: group._count._all })));
}

/** Stored events per event type. */
export async function countEventTypes(): Promise<SeenValue[]> {
  const groups = await (await db()).webhookEvent.groupBy({ by: ["eventType"], _count: { _all: true } });
  return toSeen(groups.map((group) => ({ value: group.eventType, count: group._count._all })));
}
