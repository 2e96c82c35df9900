import "server-only";
import { DEFAULT_KNOWN_EVENT_TYPES, DEFAULT_KNOWN_PAYLOAD_VERSIONS, knownOrDefault } from "@/lib/rxscale/event-catalogue";
import { env } from "@/server/core/env";
import { log } from "@/server/core/logger";
import { getSettings } from "@/server/settings/settings";

/*
 * Which event types and payload versions count as known — only for flagging:
 * unknown ones are stored and acknowledged all the same.
 */

let configured: { eventTypes: ReadonlySet<string> | null; payloadVersions: ReadonlySet<string> } | undefined;

function configuration() {
  const config = env();
  configured ??= {
    eventTypes: config.RXWATCH_KNOWN_EVENT_TYPES.length > 0 ? new Set(config.RXWATCH_KNOWN_EVENT_TYPES) : null,
    payloadVersions: knownOrDefault(config.RXWATCH_KNOWN_PAYLOAD_VERSIONS, DEFAULT_KNOWN_PAYLOAD_VERSIONS),
  };
  return configured;
}

const DEFAULT_EVENT_TYPES: ReadonlySet<string> = new Set(DEFAULT_KNOWN_EVENT_TYPES);

/**
 * RXWATCH_KNOWN_EVENT_TYPES when set; otherwise RxScale's documented types
 * plus the order and prescription event names configured under Settings
 * (RxScale documents no wire names for those, so the admin's names are what
 * the handlers run for). Settings are read only for a type outside the
 * documented list, from their 5-second cache.
 */
export async function isKnownEventType(eventType: string): Promise<boolean> {
  const { eventTypes } = configuration();
  if (eventTypes) return eventTypes.has(eventType);
  if (DEFAULT_EVENT_TYPES.has(eventType)) return true;
  try {
    return Object.values(await getSettings("eventNames")).includes(eventType);
  } catch (error) {
    log("warn", "event name settings unavailable; flagging the type as unknown", { error: error instanceof Error ? error.name : "unknown" });
    return false;
  }
}

/** RXWATCH_KNOWN_PAYLOAD_VERSIONS, or "1" (the only version RxScale documents). */
export function isKnownPayloadVersion(version: string): boolean {
  return configuration().payloadVersions.has(version);
}
