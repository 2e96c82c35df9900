import { z } from "zod";
import { orderSummaryDtoSchema } from "./orders";

/*
 * The attention queue (GET /api/orders/attention, POST /api/orders/:uid/attention):
 * orders in Needs attention and stuck orders, with who owns each, a note, a
 * snooze and a resolution. See docs/orders.md#attention-queue.
 */

/** Longest note; notes are for what someone did or is waiting for, not for records. */
export const MAX_ATTENTION_NOTE_CHARS = 500;
/** Longest snooze: a problem snoozed for longer belongs resolved or in RxScale. */
export const MAX_SNOOZE_DAYS = 30;
/** Items one queue answer holds at most, open and snoozed each. */
export const ATTENTION_QUEUE_LIMIT = 100;

/*
 * Free text typed by staff is shown to every staff member. E-mail addresses
 * and dates in it are the patient data people paste most often (the payloads
 * carry both), so a note holding either is refused with a clear message.
 */
const EMAIL_PATTERN = /[^\s@]+@[^\s@]+\.[^\s@]+/;
const DATE_PATTERN = /\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b/;

export const attentionNoteSchema = z
  .string()
  .trim()
  .min(1, "write a note, or clear it")
  .max(MAX_ATTENTION_NOTE_CHARS)
  .regex(/^[^\p{Cc}]*$/u, "must be one line without control characters")
  .refine((note) => !EMAIL_PATTERN.test(note), "must not hold an e-mail address (patient data stays in RxScale)")
  .refine((note) => !DATE_PATTERN.test(note), "must not hold a date such as a birth date (patient data stays in RxScale)");

export const attentionActionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("claim") }),
  z.object({ action: z.literal("release") }),
  z.object({ action: z.literal("note"), note: attentionNoteSchema.nullable() }),
  z.object({ action: z.literal("snooze"), until: z.iso.datetime({ offset: true }).nullable() }),
  z.object({ action: z.literal("resolve") }),
]);
export type AttentionAction = z.infer<typeof attentionActionSchema>;

export const attentionStateDtoSchema = z.object({
  ownerId: z.string().nullable(),
  ownerLabel: z.string().nullable(),
  isMine: z.boolean(),
  claimedAt: z.iso.datetime().nullable(),
  note: z.string().nullable(),
  notedBy: z.string().nullable(),
  notedAt: z.iso.datetime().nullable(),
  snoozedUntil: z.iso.datetime().nullable(),
});
export type AttentionStateDto = z.infer<typeof attentionStateDtoSchema>;

export const attentionItemDtoSchema = z.object({
  order: orderSummaryDtoSchema,
  attention: attentionStateDtoSchema,
  isSnoozed: z.boolean(),
});
export type AttentionItemDto = z.infer<typeof attentionItemDtoSchema>;

export const attentionQueueDtoSchema = z.object({
  open: z.array(attentionItemDtoSchema),
  snoozed: z.array(attentionItemDtoSchema),
  openCount: z.number().int(),
  snoozedCount: z.number().int(),
});
export type AttentionQueueDto = z.infer<typeof attentionQueueDtoSchema>;
