import { z } from "zod";
import { alertChannelSettingsSchema, alertRuleSettingsSchema } from "./settings";

/*
 * Alerts: rules evaluated on their own timer, each firing once per episode
 * and notifying again when it ends, sent to a Slack-compatible webhook and/or
 * email. Alert texts carry counts and codes only, never payload data.
 */

/**
 * - `failure_rate`: rejected deliveries above N % over the last M minutes (once at least a minimum arrived);
 * - `dead_letter`: at least one event given up on;
 * - `silence`: no delivery for longer than the silence window while subscriptions are expected;
 * - `stuck_orders`: more stuck orders than the threshold.
 */
export const ALERT_RULES = ["failure_rate", "dead_letter", "silence", "stuck_orders"] as const;
export const alertRuleSchema = z.enum(ALERT_RULES);
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const ALERT_RULE_LABELS: Record<AlertRule, string> = {
  failure_rate: "Failure rate",
  dead_letter: "Dead letters",
  silence: "Silence",
  stuck_orders: "Stuck orders",
};

export const ALERT_CHANNELS = ["webhook", "email"] as const;
export const alertChannelSchema = z.enum(ALERT_CHANNELS);
export type AlertChannel = z.infer<typeof alertChannelSchema>;

export const NOTIFICATION_KINDS = ["firing", "resolved", "test"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const alertRuleStateDtoSchema = z.object({
  rule: alertRuleSchema,
  state: z.enum(["ok", "firing"]),
  since: z.iso.datetime(),
  value: z.number().nullable(),
  lastEvaluatedAt: z.iso.datetime(),
});
export type AlertRuleStateDto = z.infer<typeof alertRuleStateDtoSchema>;

export const alertNotificationDtoSchema = z.object({
  id: z.string(),
  rule: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  channel: alertChannelSchema,
  outcome: z.enum(["sent", "failed"]),
  error: z.string().nullable(),
  text: z.string(),
  createdAt: z.iso.datetime(),
});
export type AlertNotificationDto = z.infer<typeof alertNotificationDtoSchema>;

export const smtpPasswordStatusSchema = z.object({ isSet: z.boolean(), savedAt: z.iso.datetime().nullable(), isReadable: z.boolean() });

/** Everything the alerts panel shows. */
export const alertsViewDtoSchema = z.object({
  rules: alertRuleSettingsSchema,
  channels: alertChannelSettingsSchema,
  smtpPassword: smtpPasswordStatusSchema,
  states: z.array(alertRuleStateDtoSchema),
  notifications: z.array(alertNotificationDtoSchema),
});
export type AlertsViewDto = z.infer<typeof alertsViewDtoSchema>;

/**
 * Saving the alerts configuration. `smtpPassword`: a string replaces the
 * sealed password, null removes it, absent leaves it as it is.
 */
export const saveAlertsRequestSchema = z.object({
  rules: alertRuleSettingsSchema,
  channels: alertChannelSettingsSchema,
  smtpPassword: z.string().min(1).max(512).nullable().optional(),
});
export type SaveAlertsRequest = z.input<typeof saveAlertsRequestSchema>;

export const testAlertResultDtoSchema = z.object({
  results: z.array(z.object({ channel: alertChannelSchema, outcome: z.enum(["sent", "failed"]), error: z.string().nullable() })),
});
export type TestAlertResultDto = z.infer<typeof testAlertResultDtoSchema>;
