import { z } from "zod";

/**
 * Where an event stands in the inbox:
 * - `pending`: waiting for its first run, or queued again by a re-process;
 * - `processing`: claimed by a worker whose lease has not yet expired (after
 *   that it is claimable again: the worker is presumed dead);
 * - `processed`: its handler succeeded;
 * - `failed`: its handler failed and it will be retried at `nextAttemptAt`;
 * - `dead`: given up on (attempts exhausted or a permanent error); only a re-process runs it again.
 */
export const EVENT_STATUSES = ["pending", "processing", "processed", "failed", "dead"] as const;
export const eventStatusSchema = z.enum(EVENT_STATUSES);
export type EventStatus = z.infer<typeof eventStatusSchema>;

/**
 * How one run of a handler ended. A run whose worker stopped mid-way keeps
 * `failed` with no `finishedAt` (it is written as such when the run starts).
 */
export const ATTEMPT_OUTCOMES = ["succeeded", "failed", "dead"] as const;
export const attemptOutcomeSchema = z.enum(ATTEMPT_OUTCOMES);
export type AttemptOutcome = z.infer<typeof attemptOutcomeSchema>;

/** Event ids are UUIDs today; the bound only keeps junk out of queries. */
export const eventIdSchema = z.string().trim().min(1).max(100);

/** What a re-process request returns: the event as it is now queued. */
export const reprocessResultDtoSchema = z.object({
  id: z.string(),
  status: eventStatusSchema,
  previousStatus: eventStatusSchema,
  nextAttemptAt: z.iso.datetime(),
});
export type ReprocessResultDto = z.infer<typeof reprocessResultDtoSchema>;

/**
 * Which events a bulk re-process selects. At least one criterion is required
 * so that "everything" is never re-run by accident.
 */
export const reprocessFilterSchema = z
  .object({
    statuses: z.array(eventStatusSchema).min(1).optional(),
    eventType: z.string().trim().min(1).max(200).optional(),
  })
  .refine((filter) => filter.statuses !== undefined || filter.eventType !== undefined, { message: "Give statuses or an eventType." });
export type ReprocessFilter = z.infer<typeof reprocessFilterSchema>;
