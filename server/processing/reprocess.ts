import "server-only";
import { eventStatusSchema, reprocessFilterSchema, reprocessResultDtoSchema, type ReprocessFilter, type ReprocessResultDto } from "@/lib/processing";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { signalNewEvents } from "@/server/processing/inbox-signal";
import { createInboxRepository } from "@/server/repositories/inbox";

/**
 * Queues an event to be processed again now, whatever its status (dead and
 * processed included), with a fresh attempt budget; its attempt history is
 * kept. Idempotent: asking twice leaves it queued once. A run still in
 * progress loses its lease and its result is discarded. Throws AppError
 * `not_found` for an unknown id.
 */
export async function reprocessEvent(id: string): Promise<ReprocessResultDto> {
  const requeued = await createInboxRepository().requeueEvent(id, new Date());
  if (!requeued) throw new AppError("not_found", "No event with that id.");
  log("info", "event queued for re-processing", { eventId: id, previousStatus: requeued.previousStatus });
  signalNewEvents(1);
  return reprocessResultDtoSchema.parse({
    id,
    status: "pending",
    // Stored statuses are written only by RxWatch; an unexpected one is reported as pending rather than failing the request.
    previousStatus: eventStatusSchema.catch("pending").parse(requeued.previousStatus),
    nextAttemptAt: requeued.nextAttemptAt.toISOString(),
  });
}

/** Queues every event matching `filter` (e.g. all dead events of one type) like {@link reprocessEvent}; returns how many. */
export async function reprocessEvents(filter: ReprocessFilter): Promise<number> {
  const count = await createInboxRepository().requeueEvents(reprocessFilterSchema.parse(filter), new Date());
  log("info", "events queued for re-processing", { count, statuses: filter.statuses, eventType: filter.eventType });
  if (count > 0) signalNewEvents(count);
  return count;
}
