import "server-only";
import { z } from "zod";
import { DOCUMENTED_STATUSES, eventCatalogueDtoSchema, type CatalogueEventType, type EventCatalogueDto } from "@/lib/drift";
import { LEARNING_EVENTS } from "@/server/drift/detector";
import { countEventsByTypeSince, listAllPayloadShapes } from "@/server/repositories/payload-shapes";

const DAY_MS = 24 * 60 * 60 * 1000;
const typesSchema = z.array(z.string());

/**
 * The event catalogue: every event type the drift detector has seen, with its
 * fields (path, types, share of events carrying it), statuses, volume and
 * last sighting. Versions of a type are listed together; a field's share is
 * over the versions that carried it. Counts trail by up to a flush interval.
 */
export async function getEventCatalogue(now: Date = new Date()): Promise<EventCatalogueDto> {
  const [{ shapes, entries }, day, week] = await Promise.all([listAllPayloadShapes(), countEventsByTypeSince(new Date(now.getTime() - DAY_MS)), countEventsByTypeSince(new Date(now.getTime() - 7 * DAY_MS))]);
  const byType = new Map<string, CatalogueEventType & { versions: Map<string, number> }>();
  for (const shape of shapes) {
    const known = byType.get(shape.eventType);
    const entry = known ?? { eventType: shape.eventType, payloadVersions: [], observed: 0, fields: [], statuses: [], volume24h: day.get(shape.eventType) ?? 0, volume7d: week.get(shape.eventType) ?? 0, lastSeenAt: shape.lastSeenAt.toISOString(), isLearning: false, versions: new Map<string, number>() };
    entry.observed += shape.deliveries;
    entry.versions.set(shape.payloadVersion, shape.deliveries);
    if (shape.lastSeenAt.toISOString() > entry.lastSeenAt) entry.lastSeenAt = shape.lastSeenAt.toISOString();
    byType.set(shape.eventType, entry);
  }
  const fields = new Map<string, Map<string, { types: Set<string>; count: number; lastSeenAt: Date }>>();
  const statuses = new Map<string, Map<string, number>>();
  for (const entry of entries) {
    if (entry.kind === "status") {
      const counts = statuses.get(entry.eventType) ?? new Map<string, number>();
      counts.set(entry.name, (counts.get(entry.name) ?? 0) + entry.count);
      statuses.set(entry.eventType, counts);
      continue;
    }
    const paths = fields.get(entry.eventType) ?? new Map();
    const field = paths.get(entry.name) ?? { types: new Set<string>(), count: 0, lastSeenAt: entry.lastSeenAt };
    for (const type of typesSchema.catch([]).parse(JSON.parse(entry.types))) field.types.add(type);
    field.count += entry.count;
    if (entry.lastSeenAt > field.lastSeenAt) field.lastSeenAt = entry.lastSeenAt;
    paths.set(entry.name, field);
    fields.set(entry.eventType, paths);
  }
  const eventTypes = [...byType.values()].map(({ versions, ...type }) => {
    const observed = Math.max(type.observed, 1);
    return {
      ...type,
      payloadVersions: [...versions].sort((a, b) => b[1] - a[1]).map(([version]) => version),
      isLearning: [...versions.values()].every((count) => count < LEARNING_EVENTS),
      fields: [...(fields.get(type.eventType) ?? new Map())]
        .map(([path, field]) => ({ path, types: [...field.types].sort(), seenPercent: Math.min(100, Math.round((field.count / observed) * 1000) / 10), lastSeenAt: field.lastSeenAt.toISOString() }))
        .sort((a, b) => a.path.localeCompare(b.path)),
      statuses: [...(statuses.get(type.eventType) ?? new Map<string, number>())].map(([status, count]) => ({ status, count, isDocumented: DOCUMENTED_STATUSES.has(status) })).sort((a, b) => b.count - a.count || a.status.localeCompare(b.status)),
    };
  });
  return eventCatalogueDtoSchema.parse({ eventTypes: eventTypes.sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt) || a.eventType.localeCompare(b.eventType)) });
}
