import "server-only";
import { z } from "zod";

/*
 * The Management API's answers as the docs show them (docs/rxscale.md#notification-subscriptions), read
 * leniently: unknown fields are ignored, `options` and `payload_version` may
 * be missing, a list may come wrapped in an object. What the client cannot do
 * without (a subscription's uid, type and target) is required.
 */

/** Object schemas strip unknown keys: RxScale may add fields at any time. */
export const rxscaleSubscriptionSchema = z.object({
  uid: z.string().min(1),
  notification_type: z.string().min(1),
  target: z.string().min(1),
  options: z
    .string()
    .nullish()
    .transform((value) => value ?? null),
  payload_version: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((value) => (value === null || value === undefined ? "1" : String(value))),
  meta_data: z
    .record(z.string(), z.unknown())
    .nullish()
    .catch(null)
    .transform((value) => value ?? null),
});
export type RxScaleSubscription = z.output<typeof rxscaleSubscriptionSchema>;

/** The docs show a bare array; wrappers seen in other RxScale APIs are accepted too. */
const LIST_WRAPPER_KEYS = ["data", "subscriptions", "notification_subscriptions", "results", "items"] as const;

export const rxscaleSubscriptionListSchema = z.preprocess((value) => {
  if (Array.isArray(value) || typeof value !== "object" || value === null) return value;
  for (const key of LIST_WRAPPER_KEYS) {
    const inner: unknown = Reflect.get(value, key);
    if (Array.isArray(inner)) return inner;
  }
  return value;
}, z.array(rxscaleSubscriptionSchema));

/**
 * The 201 of a create: the subscription, plus `signing_secret` when RxScale
 * returns it (the overview says it does, the Management API example omits it:
 * docs/rxscale.md#signing-secrets). An empty or non-string secret counts as absent.
 */
export const rxscaleCreatedSubscriptionSchema = z.preprocess(
  (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const inner: unknown = Reflect.get(value, "data");
    return typeof inner === "object" && inner !== null && !Array.isArray(inner) && "uid" in inner ? inner : value;
  },
  rxscaleSubscriptionSchema.extend({
    signing_secret: z
      .string()
      .nullish()
      .catch(null)
      .transform((value) => (value && value.trim() !== "" ? value : null)),
  }),
);

/** Health answers are not documented beyond the path; a `status` string is read when present. */
export const rxscaleHealthSchema = z
  .object({ status: z.string().optional().catch(undefined) })
  .catch({ status: undefined });

/** The test endpoint's answer is undocumented; the emulator's `deliveries` list is read when present. */
export const rxscaleTestResultSchema = z
  .object({
    deliveries: z
      .array(
        z.object({
          delivery_id: z.string().optional().catch(undefined),
          subscription_uid: z.string().optional().catch(undefined),
          notification_type: z.string().optional().catch(undefined),
          data_uid: z.string().optional().catch(undefined),
        }),
      )
      .optional()
      .catch(undefined),
  })
  .catch({ deliveries: undefined });

/** An error body: `{"error": "…"}` as documented for 403 and 429, or the usual alternatives. */
export const rxscaleErrorBodySchema = z
  .object({
    error: z.unknown().optional(),
    message: z.unknown().optional(),
    detail: z.unknown().optional(),
    field: z.string().optional().catch(undefined),
    uid: z.string().optional().catch(undefined),
  })
  .catch({});
