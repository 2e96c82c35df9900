import { z } from "zod";
import { statedReasonSchema } from "./stated-reason";

/*
 * Shapes shared by the retention purge and the erasure request ("forget
 * patient") and the settings page that shows them. Counts and identifiers
 * only: a patient uid never appears in a response, a log line or a purge run.
 */

export const PURGE_TRIGGERS = ["retention", "forget_patient"] as const;
export const PURGE_RUN_STATES = ["running", "completed", "failed"] as const;

/** What one retention run removed, per kind. */
export const retentionCountsSchema = z.object({
  /** Raw bodies removed from deliveries older than rawBodyDays (the delivery's metadata stays). */
  bodies: z.number().int().nonnegative(),
  /** Rejected deliveries deleted after rejectedDeliveryDays. */
  rejected: z.number().int().nonnegative(),
  /** Processed or dead events deleted after eventDays… */
  events: z.number().int().nonnegative(),
  /** …with the deliveries that carried them… */
  deliveries: z.number().int().nonnegative(),
  /** …and orders none of whose events remain, with their facts. */
  orders: z.number().int().nonnegative(),
  orderFacts: z.number().int().nonnegative(),
  /** Reveal grants of deleted deliveries. */
  revealGrants: z.number().int().nonnegative(),
  /** Audit entries older than auditDays. */
  audit: z.number().int().nonnegative(),
});
export type RetentionCounts = z.infer<typeof retentionCountsSchema>;

/** What one erasure request changed. */
export const forgetPatientCountsSchema = z.object({
  /** Raw bodies removed from deliveries that mention the patient. */
  bodies: z.number().int().nonnegative(),
  /** Deliveries unlinked from the patient (their bodies were removed now or earlier). */
  deliveries: z.number().int().nonnegative(),
  /** Events, order facts and orders unlinked from the patient; orders keep their progress summary. */
  events: z.number().int().nonnegative(),
  orderFacts: z.number().int().nonnegative(),
  orders: z.number().int().nonnegative(),
  /** Reveal grants of those deliveries, deleted. */
  revealGrants: z.number().int().nonnegative(),
});
export type ForgetPatientCounts = z.infer<typeof forgetPatientCountsSchema>;

export const purgeRunDtoSchema = z.object({
  id: z.string(),
  trigger: z.enum(PURGE_TRIGGERS),
  state: z.enum(PURGE_RUN_STATES),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  /** Counts per kind; the kinds depend on the trigger. */
  removed: z.record(z.string(), z.number()),
  /** True when a person started it (a manual purge or an erasure request); false for the timer. */
  isManual: z.boolean(),
  auditId: z.string().nullable(),
  error: z.string().nullable(),
});
export type PurgeRunDto = z.infer<typeof purgeRunDtoSchema>;

export const purgeRunListDtoSchema = z.object({ runs: z.array(purgeRunDtoSchema) });

/** An erasure request: the patient uid as RxScale sends it, and the request's reference (e.g. a ticket number). */
export const forgetPatientRequestSchema = z.object({
  patientUid: z.string().trim().min(1, "Enter the patient uid.").max(200),
  reason: statedReasonSchema({ minChars: 3, maxChars: 500, tooShort: "State the reason (e.g. the erasure request's reference)." }),
});
export type ForgetPatientRequest = z.infer<typeof forgetPatientRequestSchema>;

export const forgetPatientResultDtoSchema = z.object({
  runId: z.string(),
  auditId: z.string(),
  removed: forgetPatientCountsSchema,
  /** Nothing referred to the patient any more: forgotten before, or never seen. */
  isNothingFound: z.boolean(),
});
export type ForgetPatientResultDto = z.infer<typeof forgetPatientResultDtoSchema>;

/** Sum of the counts: zero means the request found nothing. */
export function totalRemoved(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}
