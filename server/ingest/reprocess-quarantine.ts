import "server-only";
import { quarantineReprocessDtoSchema, type QuarantineReprocessDto } from "@/lib/deliveries";
import { log } from "@/server/core/logger";
import { isKnownEventType, isKnownPayloadVersion } from "@/server/ingest/known-types";
import { eventWriteOf, readSignedBody } from "@/server/ingest/quarantine";
import { signalNewEvents } from "@/server/processing/inbox-signal";
import { countQuarantinedDeliveries, listQuarantinedDeliveries, releaseQuarantinedDelivery } from "@/server/repositories/quarantine";
import { publishChanges } from "@/server/live/notices";

/** Quarantined deliveries looked at per call: bounded work per request; call again for the rest. */
export const QUARANTINE_REPROCESS_BATCH = 500;

/**
 * Reads every quarantined delivery again with today's code and settings,
 * ignoring the headers it came with (a person decided they do not matter).
 * A dry run only counts; otherwise each readable one is released into its
 * event, deduplicated like any delivery, and the worker is woken.
 * See docs/ingest.md#quarantine.
 */
export async function reprocessQuarantine(dryRun: boolean, now: Date = new Date()): Promise<QuarantineReprocessDto> {
  const deliveries = await listQuarantinedDeliveries(QUARANTINE_REPROCESS_BATCH);
  const still = new Map<string, { reasonCode: string; detail: string; count: number }>();
  const keep = (reasonCode: string, detail: string) => {
    const key = `${reasonCode}\u0000${detail}`;
    const entry = still.get(key) ?? { reasonCode, detail, count: 0 };
    entry.count += 1;
    still.set(key, entry);
  };
  let released = 0;
  let newEvents = 0;
  for (const delivery of deliveries) {
    if (delivery.body === null) {
      keep(delivery.reasonCode ?? "unknown", "(body): no longer stored");
      continue;
    }
    const reading = readSignedBody(delivery.body, null);
    if (reading.kind === "quarantine") {
      keep(reading.reasonCode, reading.detail);
      continue;
    }
    if (dryRun) {
      released += 1;
      continue;
    }
    const isKnownType = await isKnownEventType(reading.envelope.event_type);
    const flags = [...(isKnownType ? [] : ["unknown_event_type"]), ...(isKnownPayloadVersion(reading.envelope.payload_version) ? [] : ["unknown_payload_version"]), ...reading.readings];
    const result = await releaseQuarantinedDelivery(delivery.id, eventWriteOf(reading, delivery.bodySha256, now, isKnownType), flags);
    if (result === null) continue;
    released += 1;
    if (result.isNewEvent) newEvents += 1;
  }
  if (newEvents > 0) signalNewEvents(newEvents);
  if (!dryRun && released > 0) {
    log("info", "quarantined deliveries released", { released, newEvents });
    const newest = deliveries.at(-1);
    if (newest) void publishChanges([{ kind: "delivery", key: newest.id }]);
  }
  return quarantineReprocessDtoSchema.parse({
    dryRun,
    examined: deliveries.length,
    released,
    newEvents,
    stillQuarantined: [...still.values()].sort((a, b) => b.count - a.count),
    remaining: await countQuarantinedDeliveries(),
  });
}
