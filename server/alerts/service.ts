import "server-only";
import {
  ALERT_RULES,
  alertRuleSchema,
  alertsViewDtoSchema,
  saveAlertsRequestSchema,
  testAlertResultDtoSchema,
  type AlertsViewDto,
  type SaveAlertsRequest,
  type TestAlertResultDto,
} from "@/lib/alerts";
import type { Viewer } from "@/lib/accounts";
import { recordAudit } from "@/server/audit/record-audit";
import { AppError } from "@/server/core/errors";
import { getSettings, updateSettings } from "@/server/settings/settings";
import { sendAlert } from "@/server/alerts/notify";
import { clearSmtpPassword, saveSmtpPassword, smtpPasswordStatus } from "@/server/alerts/smtp-password";
import { listAlertNotifications, listAlertStates } from "@/server/repositories/alerts";

/** Notifications listed in the alerts panel. */
const LISTED_NOTIFICATIONS = 20;

/** Rules, channels (without the SMTP password), each rule's state and the latest notifications. */
export async function getAlertsView(): Promise<AlertsViewDto> {
  const [rules, channels, smtpPassword, states, notifications] = await Promise.all([
    getSettings("alertRules"),
    getSettings("alertChannels"),
    smtpPasswordStatus(),
    listAlertStates(),
    listAlertNotifications(LISTED_NOTIFICATIONS),
  ]);
  return alertsViewDtoSchema.parse({
    rules,
    channels,
    smtpPassword,
    states: states.flatMap((state) => {
      const rule = alertRuleSchema.safeParse(state.rule);
      if (!rule.success) return [];
      return [{ rule: rule.data, state: state.state === "firing" ? "firing" : "ok", since: state.since.toISOString(), value: state.value, lastEvaluatedAt: state.lastEvaluatedAt.toISOString() }];
    }),
    notifications: notifications.map((notification) => ({ ...notification, createdAt: notification.createdAt.toISOString() })),
  });
}

/** Stores rules and channels (and replaces or removes the sealed SMTP password when asked); audited. */
export async function saveAlerts(request: SaveAlertsRequest, viewer: Viewer, headers?: Headers): Promise<AlertsViewDto> {
  const parsed = saveAlertsRequestSchema.parse(request);
  const userId = viewer.via === "session" ? viewer.userId : null;
  await updateSettings("alertRules", parsed.rules, userId);
  await updateSettings("alertChannels", parsed.channels, userId);
  if (parsed.smtpPassword === null) await clearSmtpPassword();
  else if (parsed.smtpPassword !== undefined) await saveSmtpPassword(parsed.smtpPassword, userId);
  await recordAudit({
    action: "alerts.configure",
    actor: viewer,
    details: {
      rulesOn: ALERT_RULES.filter((rule) => ({ failure_rate: parsed.rules.failureRate, dead_letter: parsed.rules.deadLetters, silence: parsed.rules.silence, stuck_orders: parsed.rules.stuckOrders })[rule].isEnabled).join(","),
      hasWebhook: parsed.channels.webhookUrl !== null,
      isEmailOn: parsed.channels.email.isEnabled,
      passwordChange: parsed.smtpPassword === undefined ? "kept" : parsed.smtpPassword === null ? "removed" : "replaced",
    },
    headers,
  });
  return getAlertsView();
}

/** Sends a test alert to every configured channel. Throws AppError `invalid_request` when none is configured. */
export async function sendTestAlert(now: Date = new Date()): Promise<TestAlertResultDto> {
  const channels = await getSettings("alertChannels");
  if (!channels.webhookUrl && !channels.email.isEnabled) throw new AppError("invalid_request", "No alert channel is configured: set a webhook URL or switch email on, save, then test.");
  const results = await sendAlert(
    { rule: "test", kind: "test", subject: "[RxWatch] Test alert", text: `[RxWatch] Test alert — sent at ${now.toISOString()}. If you can read this, RxWatch's alerts reach you.` },
    now,
  );
  return testAlertResultDtoSchema.parse({ results });
}
