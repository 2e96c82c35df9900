import { z } from "zod";
import { FACT_KINDS, PROGRESS_STAGES, stageSchema } from "./lifecycle";
import { orderSummaryDtoSchema } from "./orders";

/*
 * GET /api/orders/:uid — everything support needs when a customer calls:
 * the lifecycle as a timeline, every entity of the order, and every event
 * with the deliveries and processing attempts behind it. Identifiers and
 * statuses only; raw payloads are opened from the deliveries list (role-checked).
 */

export const timelineStepDtoSchema = z.object({
  stage: z.enum(PROGRESS_STAGES),
  label: z.string(),
  /** received: an event reported it; gap: a later step arrived but this one never did; next: expected next; pending: not yet. */
  state: z.enum(["received", "gap", "next", "pending"]),
  at: z.iso.datetime().nullable(),
  /** Time since the previous received step. */
  sincePreviousMs: z.number().nullable(),
  /** Median time other orders took to get here from the previous step, when known. */
  typicalMs: z.number().nullable(),
  /** When the step is known only from RxScale's orders API (no webhook said it): the time RxWatch read it there. */
  readFromRxScaleAt: z.iso.datetime().nullable(),
});
export type TimelineStepDto = z.infer<typeof timelineStepDtoSchema>;

export const traceDeliveryDtoSchema = z.object({
  id: z.string(),
  receivedAt: z.iso.datetime(),
  outcome: z.string(),
  reasonCode: z.string().nullable(),
  httpStatus: z.number().int(),
  matchedSecretId: z.string().nullable(),
  /** The verifying secret as Settings names it (label and last characters, or its place in RXSCALE_SIGNING_SECRETS). */
  matchedSecretLabel: z.string().nullable(),
});

export const traceAttemptDtoSchema = z.object({
  attempt: z.number().int(),
  outcome: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  error: z.string().nullable(),
});

export const traceEventDtoSchema = z.object({
  eventId: z.string(),
  eventType: z.string(),
  kind: z.enum(FACT_KINDS),
  entityUid: z.string(),
  status: z.string(),
  stage: stageSchema,
  /** The time the event speaks for (`data.updated_at`, else the envelope timestamp). */
  at: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
  isSuperseded: z.boolean(),
  duplicateCount: z.number().int(),
  processingStatus: z.string(),
  /** webhook: received as an event; reconciliation: read from RxScale's orders API because no webhook said it (`receivedAt` is when). */
  source: z.enum(["webhook", "reconciliation"]),
  deliveries: z.array(traceDeliveryDtoSchema),
  attempts: z.array(traceAttemptDtoSchema),
});
export type TraceEventDto = z.infer<typeof traceEventDtoSchema>;

export const orderTraceDtoSchema = z.object({
  order: orderSummaryDtoSchema,
  entities: z.array(z.object({ kind: z.enum(FACT_KINDS), uid: z.string(), status: z.string(), stage: stageSchema, at: z.iso.datetime() })),
  timeline: z.array(timelineStepDtoSchema),
  events: z.array(traceEventDtoSchema),
});
export type OrderTraceDto = z.infer<typeof orderTraceDtoSchema>;
