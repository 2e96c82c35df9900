import "server-only";
import type { EventHandler } from "@/server/processing/event";

/**
 * Any type without a handler of its own. The event is kept raw (ingest flagged
 * it) and counts as processed: an unknown type is not a failure, and a
 * handler added later can re-process it.
 */
export const handleUnknownEvent: EventHandler = async () => {};
