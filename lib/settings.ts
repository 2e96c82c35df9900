import { z } from "zod";

/*
 * Local settings an admin edits under Settings, with the defaults RxWatch
 * starts with. Stored one JSON document per key (Setting model) and validated
 * with these schemas on every read, so a hand-edited or outdated row falls back
 * to defaults instead of breaking a page.
 */

export const RXSCALE_ENVIRONMENTS = ["production", "sandbox", "custom"] as const;
export const rxscaleEnvironmentSchema = z.enum(RXSCALE_ENVIRONMENTS);
export type RxScaleEnvironment = z.infer<typeof rxscaleEnvironmentSchema>;

/** Base URLs from docs/rxscale.md#management-api. */
export const RXSCALE_BASE_URLS: Record<Exclude<RxScaleEnvironment, "custom">, string> = {
  production: "https://api.rxscale.com",
  sandbox: "https://api.rxscale-dev.com",
};

/** How RxWatch talks to RxScale's Management API. The API key itself is stored sealed, separately. */
export const connectionSettingsSchema = z.object({
  environment: rxscaleEnvironmentSchema.default("production"),
  customBaseUrl: z.url().nullable().default(null),
  /** Where RxScale should deliver webhooks, e.g. https://rxwatch.example.com/api/webhooks/rxscale. */
  webhookTargetUrl: z.url().nullable().default(null),
  /** The docs' examples disagree on trailing slashes (docs/rxscale.md#notification-subscriptions); default as in the curl examples. */
  trailingSlash: z.boolean().default(true),
  /** Where DELETE puts the subscription uid: not documented (docs/rxscale.md#notification-subscriptions). */
  deleteUidPlacement: z.enum(["path", "query", "body"]).default("path"),
});
export type ConnectionSettings = z.infer<typeof connectionSettingsSchema>;

/**
 * Wire names of the order and prescription events. RxScale's docs name these
 * events only in prose ("Order created", "Prescription signed"…) and give no
 * wire names (docs/rxscale.md#order-and-prescription-events), so these defaults are RxWatch's choice.
 */
export const eventNameSettingsSchema = z.object({
  orderCreated: z.string().min(1).max(120).default("order_created"),
  orderUpdated: z.string().min(1).max(120).default("order_updated"),
  prescriptionApproved: z.string().min(1).max(120).default("prescription_approved"),
  prescriptionSigned: z.string().min(1).max(120).default("prescription_signed"),
  prescriptionDeclined: z.string().min(1).max(120).default("prescription_declined"),
});
export type EventNameSettings = z.infer<typeof eventNameSettingsSchema>;

export const STATUS_COLOURS = ["slate", "sky", "amber", "emerald", "red", "violet"] as const;
export const statusAppearanceSchema = z.object({ label: z.string().min(1).max(60), colour: z.enum(STATUS_COLOURS) });

/** Label and colour per exact RxScale status string (docs/rxscale.md#status-values; never normalised). Unknown statuses are shown as-is in slate. */
export const statusAppearanceSettingsSchema = z.record(z.string().min(1).max(120), statusAppearanceSchema).default({
  init: { label: "Created", colour: "slate" },
  "waiting for pharmacy": { label: "Waiting for pharmacy", colour: "amber" },
  "pending review": { label: "Pharmacy reviewing", colour: "sky" },
  "on-hold": { label: "On hold", colour: "red" },
  "in-progress": { label: "Being prepared", colour: "sky" },
  ready_for_pickup: { label: "Ready for pickup", colour: "violet" },
  completed: { label: "Completed", colour: "emerald" },
  cancelled: { label: "Cancelled", colour: "red" },
  created: { label: "Created (legacy)", colour: "slate" },
  open: { label: "Open (legacy)", colour: "amber" },
  processing: { label: "Processing (legacy)", colour: "sky" },
  shipped: { label: "Shipped (legacy)", colour: "violet" },
});
export type StatusAppearanceSettings = z.infer<typeof statusAppearanceSettingsSchema>;

/**
 * Days each kind of record is kept (enforced by server/retention/purge.ts). The audit log must outlive everything
 * else: its entries record what was removed and who looked at what, so they are never purged before the records
 * they describe.
 */
export const retentionSettingsSchema = z
  .object({
    rawBodyDays: z.number().int().min(1).max(3650).default(90),
    eventDays: z.number().int().min(1).max(3650).default(365),
    rejectedDeliveryDays: z.number().int().min(1).max(3650).default(30),
    auditDays: z.number().int().min(30).max(3650).default(730),
  })
  .refine((value) => value.auditDays >= longestNonAuditRetentionDays(value), {
    path: ["auditDays"],
    message: "The audit log must be kept at least as long as raw bodies, events and rejected deliveries.",
  });
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

/** The longest of the periods other than the audit log's: the audit log is kept at least this long. */
export function longestNonAuditRetentionDays(value: { rawBodyDays: number; eventDays: number; rejectedDeliveryDays: number }): number {
  return Math.max(value.rawBodyDays, value.eventDays, value.rejectedDeliveryDays);
}

/** Hours an order may stay in a stage before it is marked stuck. */
export const stuckThresholdSettingsSchema = z.object({
  awaitingPrescriptionHours: z.number().positive().max(24 * 90).default(48),
  awaitingSignatureHours: z.number().positive().max(24 * 90).default(24),
  waitingForPharmacyHours: z.number().positive().max(24 * 90).default(24),
  inPharmacyHours: z.number().positive().max(24 * 90).default(48),
  readyForPickupHours: z.number().positive().max(24 * 90).default(72),
  onHoldHours: z.number().positive().max(24 * 90).default(24),
  /** RxScale's problem statuses (payment pending, requires attention, out of stock, …) and undocumented ones. */
  needsAttentionHours: z.number().positive().max(24 * 90).default(4),
});
export type StuckThresholdSettings = z.infer<typeof stuckThresholdSettingsSchema>;

/**
 * Event types RxWatch subscribed to through its settings page: the ones it
 * expects RxScale to deliver. Compared with RxScale's list to show what is
 * missing or unexpected.
 */
export const expectedSubscriptionsSchema = z.array(z.string().min(1).max(120)).max(50).default(["pharmacy_order_created", "pharmacy_order_updated"]);

/**
 * How the failures page (lib/failures.ts) decides what a group is and when it
 * is over. The silence window is also the silence alert's threshold.
 */
export const failureDetectionSettingsSchema = z.object({
  /** No delivery for this long, while subscriptions are expected, is silence. */
  silenceWindowMinutes: z.number().int().min(5).max(7 * 24 * 60).default(30),
  /** Duplicates of one event within the storm window that make a duplicate storm. */
  duplicateStormMinimum: z.number().int().min(2).max(10_000).default(10),
  duplicateStormWindowMinutes: z.number().int().min(1).max(24 * 60).default(15),
  /** A group of occurrences (rejections, storms, unknown types) resolves itself after this long without a new one. */
  autoResolveQuietMinutes: z.number().int().min(1).max(7 * 24 * 60).default(30),
});
export type FailureDetectionSettings = z.infer<typeof failureDetectionSettingsSchema>;

/** The alert rules (lib/alerts.ts) and their thresholds; each can be switched off. */
export const alertRuleSettingsSchema = z.object({
  /** Rejected deliveries as a share of all deliveries over the window, once at least `minDeliveries` arrived. */
  failureRate: z
    .object({
      isEnabled: z.boolean().default(true),
      thresholdPercent: z.number().min(0).max(100).default(10),
      windowMinutes: z.number().int().min(1).max(24 * 60).default(15),
      minDeliveries: z.number().int().min(1).max(1_000_000).default(20),
    })
    .prefault({}),
  /** Any event given up on (dead letter). */
  deadLetters: z.object({ isEnabled: z.boolean().default(true) }).prefault({}),
  /** No delivery for longer than the failure-detection silence window. */
  silence: z.object({ isEnabled: z.boolean().default(true) }).prefault({}),
  /** More stuck orders than `threshold`. */
  stuckOrders: z.object({ isEnabled: z.boolean().default(true), threshold: z.number().int().min(0).max(1_000_000).default(10) }).prefault({}),
});
export type AlertRuleSettings = z.infer<typeof alertRuleSettingsSchema>;

/**
 * Where alerts go. The SMTP password is not part of this document: it is
 * sealed separately (server/alerts/smtp-password.ts) and never read back.
 */
export const alertChannelSettingsSchema = z.object({
  /** Receives POST {"text": "…"} (Slack-compatible incoming webhook); null = off. */
  webhookUrl: z.url({ protocol: /^https?$/ }).nullable().default(null),
  email: z
    .object({
      isEnabled: z.boolean().default(false),
      host: z.string().trim().min(1).max(253).nullable().default(null),
      port: z.number().int().min(1).max(65_535).default(587),
      /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
      isImplicitTls: z.boolean().default(false),
      from: z.email().nullable().default(null),
      to: z.array(z.email()).max(20).default([]),
      user: z.string().trim().min(1).max(320).nullable().default(null),
    })
    .prefault({}),
});
export type AlertChannelSettings = z.infer<typeof alertChannelSettingsSchema>;

/** Every settings document: key → schema. */
export const SETTINGS = {
  connection: connectionSettingsSchema,
  eventNames: eventNameSettingsSchema,
  statusAppearance: statusAppearanceSettingsSchema,
  retention: retentionSettingsSchema,
  stuckThresholds: stuckThresholdSettingsSchema,
  expectedSubscriptions: expectedSubscriptionsSchema,
  failureDetection: failureDetectionSettingsSchema,
  alertRules: alertRuleSettingsSchema,
  alertChannels: alertChannelSettingsSchema,
} as const;
export type SettingsKey = keyof typeof SETTINGS;
export type SettingsValue<K extends SettingsKey> = z.infer<(typeof SETTINGS)[K]>;
export const settingsKeySchema = z.enum(Object.keys(SETTINGS) as [SettingsKey, ...SettingsKey[]]);
