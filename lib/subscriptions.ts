import { z } from "zod";
import { connectionSettingsSchema } from "./settings";

/*
 * The settings page's view of RxScale: the connection, the subscriptions as
 * RxScale lists them merged with what RxWatch has received, and the result of
 * a test delivery. Shared by the admin API and the page.
 */

/** Path of RxWatch's webhook endpoint; the target URL RxScale delivers to ends in it. */
export const WEBHOOK_PATH = "/api/webhooks/rxscale";

/** Event types the Management API offers for subscription (docs/rxscale.md#event-types). */
export const SUBSCRIBABLE_EVENT_TYPES = ["pharmacy_order_created", "pharmacy_order_updated", "pharmacy_sku_stock_updated"] as const;

export const connectionViewDtoSchema = z.object({
  settings: connectionSettingsSchema,
  apiKey: z.object({ isSet: z.boolean(), hint: z.string().nullable(), savedAt: z.string().nullable(), isReadable: z.boolean() }),
  /** Where RxScale should deliver: the configured target, else derived from RXWATCH_PUBLIC_URL or the request. */
  effectiveTargetUrl: z.string(),
  isDemo: z.boolean(),
});
export type ConnectionViewDto = z.infer<typeof connectionViewDtoSchema>;

export const saveConnectionRequestSchema = z.object({
  settings: connectionSettingsSchema,
  /** A new API key; omitted keeps the stored one, null removes it. */
  apiKey: z.string().trim().min(8).max(512).nullable().optional(),
});
export type SaveConnectionRequest = z.infer<typeof saveConnectionRequestSchema>;

export const connectionCheckDtoSchema = z.object({
  ok: z.boolean(),
  baseUrl: z.string().nullable(),
  latencyMs: z.number().nullable(),
  canRead: z.boolean().nullable(),
  message: z.string(),
});
export type ConnectionCheckDto = z.infer<typeof connectionCheckDtoSchema>;

export const subscriptionRowDtoSchema = z.object({
  uid: z.string(),
  eventType: z.string(),
  target: z.string(),
  payloadVersion: z.string().nullable(),
  createdAt: z.string().nullable(),
  lastEventAt: z.iso.datetime().nullable(),
  eventsLast24h: z.number().int(),
  isTargetThisRxWatch: z.boolean(),
  /** RxWatch holds an active signing secret captured or pasted for this subscription. */
  hasSigningSecret: z.boolean(),
  /** When RxScale's automatic test delivery after registration arrived and verified; null until it has (docs/rxscale.md#test-events). */
  setupVerifiedAt: z.iso.datetime().nullable(),
});
export type SubscriptionRowDto = z.infer<typeof subscriptionRowDtoSchema>;

export const subscriptionsViewDtoSchema = z.object({
  rows: z.array(subscriptionRowDtoSchema),
  /** Event types RxWatch expects (subscribed through it) but RxScale has no subscription to this RxWatch for. */
  missing: z.array(z.string()),
  /** Subscriptions that deliver elsewhere or for types RxWatch did not subscribe to. */
  unexpected: z.array(z.string()),
  subscribableTypes: z.array(z.string()),
  effectiveTargetUrl: z.string(),
});
export type SubscriptionsViewDto = z.infer<typeof subscriptionsViewDtoSchema>;

export const subscribeRequestSchema = z.object({ eventTypes: z.array(z.string().min(1).max(120)).min(1).max(20) });

export const subscribeResultDtoSchema = z.object({
  created: z.array(z.object({ uid: z.string(), eventType: z.string(), isSecretCaptured: z.boolean() })),
  failed: z.array(z.object({ eventType: z.string(), message: z.string() })),
});
export type SubscribeResultDto = z.infer<typeof subscribeResultDtoSchema>;

export const TEST_RESULTS = ["passed", "signature_mismatch", "rejected", "not_received", "unreachable"] as const;
export const testEventResultDtoSchema = z.object({
  result: z.enum(TEST_RESULTS),
  message: z.string(),
  deliveryId: z.string().nullable(),
  waitedMs: z.number(),
});
export type TestEventResultDto = z.infer<typeof testEventResultDtoSchema>;
