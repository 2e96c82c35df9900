import "server-only";
import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import type { AlertChannel, NotificationKind } from "@/lib/alerts";
import { getSettings } from "@/server/settings/settings";
import { log } from "@/server/core/logger";
import { readSmtpPassword } from "@/server/alerts/smtp-password";
import { insertAlertNotification } from "@/server/repositories/alerts";

/*
 * Delivering alert texts: a Slack-compatible incoming webhook (POST
 * {"text": …}) and/or email over SMTP. Each attempt is logged in the
 * notification log with its outcome. Texts carry counts and codes only.
 */

/** A channel that does not answer within this long counts as failed; the next alert tries again. */
export const ALERT_SEND_TIMEOUT_MS = 10_000;

export interface AlertMessage {
  /** The rule, or "test". */
  rule: string;
  kind: NotificationKind;
  subject: string;
  text: string;
}

export interface ChannelResult {
  channel: AlertChannel;
  outcome: "sent" | "failed";
  error: string | null;
}

/** A short reason for a failed send: a status or an error code, never a response body. */
function reasonOf(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const code = "code" in error && typeof error.code === "string" ? error.code : null;
    const responseCode = "responseCode" in error && typeof error.responseCode === "number" ? `SMTP ${error.responseCode}` : null;
    const name = error instanceof Error ? error.name : "Error";
    return [name, code, responseCode].filter(Boolean).join(" ");
  }
  return "unknown error";
}

async function sendWebhook(url: string, text: string): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "RxWatch-Alerts" },
    body: JSON.stringify({ text }),
    signal: AbortSignal.timeout(ALERT_SEND_TIMEOUT_MS),
    redirect: "error",
  });
  // Drain the body so the connection is released; its content is not kept.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw Object.assign(new Error("webhook refused"), { code: `HTTP ${response.status}` });
}

async function sendEmail(message: AlertMessage): Promise<void> {
  const { email } = await getSettings("alertChannels");
  if (!email.host || !email.from || email.to.length === 0) throw Object.assign(new Error("email not configured"), { code: "incomplete_settings" });
  const password = email.user ? await readSmtpPassword() : null;
  const transport = nodemailer.createTransport({
    host: email.host,
    port: email.port,
    secure: email.isImplicitTls,
    auth: email.user ? { user: email.user, pass: password ?? "" } : undefined,
    connectionTimeout: ALERT_SEND_TIMEOUT_MS,
    greetingTimeout: ALERT_SEND_TIMEOUT_MS,
    socketTimeout: ALERT_SEND_TIMEOUT_MS,
  });
  try {
    await transport.sendMail({ from: email.from, to: email.to, subject: message.subject, text: message.text });
  } finally {
    transport.close();
  }
}

/**
 * Sends `message` to every configured channel and records each attempt.
 * Never throws: a failing channel is reported in the result (and the log).
 */
export async function sendAlert(message: AlertMessage, now: Date = new Date()): Promise<ChannelResult[]> {
  const channels = await getSettings("alertChannels");
  const attempts: { channel: AlertChannel; send: () => Promise<void> }[] = [];
  if (channels.webhookUrl) {
    const url = channels.webhookUrl;
    attempts.push({ channel: "webhook", send: () => sendWebhook(url, message.text) });
  }
  if (channels.email.isEnabled) attempts.push({ channel: "email", send: () => sendEmail(message) });
  const results = await Promise.all(
    attempts.map(async ({ channel, send }): Promise<ChannelResult> => {
      try {
        await send();
        return { channel, outcome: "sent", error: null };
      } catch (error) {
        log("warn", "alert not delivered", { channel, rule: message.rule, kind: message.kind, reason: reasonOf(error) });
        return { channel, outcome: "failed", error: reasonOf(error) };
      }
    }),
  );
  for (const result of results) {
    await insertAlertNotification({ id: randomUUID(), rule: message.rule, kind: message.kind, channel: result.channel, outcome: result.outcome, error: result.error, text: message.text, createdAt: now });
  }
  return results;
}
