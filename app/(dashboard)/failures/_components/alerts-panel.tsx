"use client";

import { useState, type FormEvent } from "react";
import { ALERT_RULE_LABELS, type AlertsViewDto } from "@/lib/alerts";
import { Time } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { CheckboxField, TextField } from "@/components/ui/field";
import { useAlerts, useSaveAlerts, useTestAlert } from "@/components/queries/failures";

function Checkbox({ name, label, defaultChecked }: { name: string; label: string; defaultChecked: boolean }) {
  return <CheckboxField fieldClassName="flex items-center gap-2 text-sm font-medium" name={name} defaultChecked={defaultChecked} label={label} />;
}

function AlertsForm({ view }: { view: AlertsViewDto }) {
  const save = useSaveAlerts();
  const test = useTestAlert();
  const [isSaved, setSaved] = useState(false);
  const { rules, channels } = view;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const data = new FormData(event.currentTarget);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === "string" && value.trim() ? value.trim() : null;
    };
    const number = (name: string, fallback: number) => Number(text(name) ?? fallback);
    const isOn = (name: string) => data.get(name) === "on";
    const password = text("smtpPassword");
    await save.mutateAsync({
      rules: {
        failureRate: { isEnabled: isOn("failureRateOn"), thresholdPercent: number("thresholdPercent", 10), windowMinutes: number("windowMinutes", 15), minDeliveries: number("minDeliveries", 20) },
        deadLetters: { isEnabled: isOn("deadLettersOn") },
        silence: { isEnabled: isOn("silenceOn") },
        stuckOrders: { isEnabled: isOn("stuckOrdersOn"), threshold: number("stuckThreshold", 10) },
      },
      channels: {
        webhookUrl: text("webhookUrl"),
        email: {
          isEnabled: isOn("emailOn"),
          host: text("smtpHost"),
          port: number("smtpPort", 587),
          isImplicitTls: isOn("implicitTls"),
          from: text("mailFrom"),
          to: (text("mailTo") ?? "")
            .split(",")
            .map((address) => address.trim())
            .filter(Boolean),
          user: text("smtpUser"),
        },
      },
      smtpPassword: isOn("removePassword") ? null : (password ?? undefined),
    });
    setSaved(true);
  }

  return (
    <form onSubmit={onSubmit} aria-label="Alert settings" className="space-y-4">
      <fieldset className="grid gap-3 md:grid-cols-4 md:items-end">
        <legend className="mb-2 text-sm font-semibold">Rules</legend>
        <Checkbox name="failureRateOn" label="Failure rate above" defaultChecked={rules.failureRate.isEnabled} />
        <TextField label="Threshold (%)" name="thresholdPercent" type="number" step="any" min={0} max={100} defaultValue={rules.failureRate.thresholdPercent} />
        <TextField label="Over (minutes)" name="windowMinutes" type="number" min={1} defaultValue={rules.failureRate.windowMinutes} />
        <TextField label="From deliveries" name="minDeliveries" type="number" min={1} defaultValue={rules.failureRate.minDeliveries} />
        <Checkbox name="deadLettersOn" label="Any dead letter" defaultChecked={rules.deadLetters.isEnabled} />
        <Checkbox name="silenceOn" label="Silence (window under failure detection, default 30 min)" defaultChecked={rules.silence.isEnabled} />
        <Checkbox name="stuckOrdersOn" label="Stuck orders above" defaultChecked={rules.stuckOrders.isEnabled} />
        <TextField label="Stuck orders threshold" name="stuckThreshold" type="number" min={0} defaultValue={rules.stuckOrders.threshold} />
      </fieldset>
      <fieldset className="grid gap-3 md:grid-cols-3 md:items-end">
        <legend className="mb-2 text-sm font-semibold">Channels</legend>
        <div className="md:col-span-3">
          <TextField label="Webhook URL (Slack-compatible, receives {&quot;text&quot;: …})" name="webhookUrl" type="url" defaultValue={channels.webhookUrl ?? ""} placeholder="https://hooks.slack.com/services/…" />
        </div>
        <Checkbox name="emailOn" label="Email over SMTP" defaultChecked={channels.email.isEnabled} />
        <TextField label="SMTP host" name="smtpHost" defaultValue={channels.email.host ?? ""} />
        <TextField label="SMTP port" name="smtpPort" type="number" min={1} max={65535} defaultValue={channels.email.port} />
        <Checkbox name="implicitTls" label="TLS from the start (port 465)" defaultChecked={channels.email.isImplicitTls} />
        <TextField label="From" name="mailFrom" type="email" defaultValue={channels.email.from ?? ""} />
        <TextField label="To (comma-separated)" name="mailTo" defaultValue={channels.email.to.join(", ")} />
        <TextField label="SMTP user" name="smtpUser" defaultValue={channels.email.user ?? ""} autoComplete="off" />
        <TextField
          label={view.smtpPassword.isSet ? "SMTP password (stored sealed; type to replace)" : "SMTP password"}
          name="smtpPassword"
          type="password"
          autoComplete="new-password"
          placeholder={view.smtpPassword.isSet ? "••••••••" : ""}
        />
        {view.smtpPassword.isSet ? <Checkbox name="removePassword" label="Remove the stored password" defaultChecked={false} /> : null}
      </fieldset>
      {!view.smtpPassword.isReadable ? <Alert tone="error">The stored SMTP password cannot be decrypted (RXWATCH_SECRET_KEY changed): type it again.</Alert> : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" disabled={save.isPending}>
          Save alerts
        </Button>
        <Button variant="secondary" disabled={test.isPending} onClick={() => test.mutate()}>
          Send test alert
        </Button>
      </div>
      {isSaved ? <Alert tone="success">Saved.</Alert> : null}
      {save.isError ? <Alert tone="error">{save.error.message}</Alert> : null}
      {test.isError ? <Alert tone="error">{test.error.message}</Alert> : null}
      {test.data ? (
        <Alert tone={test.data.results.every((result) => result.outcome === "sent") ? "success" : "error"}>
          {test.data.results.map((result) => `${result.channel}: ${result.outcome === "sent" ? "sent" : `failed (${result.error ?? "unknown"})`}`).join(" · ")}
        </Alert>
      ) : null}
    </form>
  );
}

/** Alert rules and channels with their current state and recent notifications (admins). */
export function AlertsPanel() {
  const alerts = useAlerts(true);
  if (!alerts.data) return <Card title="Alerts">{alerts.isError ? <Alert tone="error">{alerts.error.message}</Alert> : <Skeleton label="alerts" lines={4} />}</Card>;
  const view = alerts.data;
  const hasChannel = view.channels.webhookUrl !== null || view.channels.email.isEnabled;
  return (
    <Card title="Alerts" description="Evaluated every 30 s on a timer of their own, so a crashed handler still alerts. Each alert is sent once when it starts and once when it ends; texts hold counts and codes, never payload data.">
      {hasChannel ? null : (
        <div className="mb-4">
          <Alert tone="error">No alert channel is configured: rules are evaluated, but nobody is notified when one fires. Set a webhook URL or switch email on below.</Alert>
        </div>
      )}
      <ul className="mb-4 flex flex-wrap gap-2 text-sm" aria-label="Alert states">
        {view.states.map((state) => (
          <li key={state.rule} data-rule={state.rule} className={`rounded-full border px-3 py-1 ${state.state === "firing" ? "border-red-400 bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200" : "border-slate-300 dark:border-slate-700"}`}>
            {ALERT_RULE_LABELS[state.rule]}:{" "}
            {state.state === "firing" ? (
              <>
                firing since <Time value={state.since} />
                {hasChannel ? null : <strong> — not notified: no channel</strong>}
              </>
            ) : (
              "ok"
            )}
          </li>
        ))}
      </ul>
      <AlertsForm key={JSON.stringify([view.rules, view.channels, view.smtpPassword])} view={view} />
      {view.notifications.length > 0 ? (
        <details className="mt-4 text-sm">
          <summary className="cursor-pointer font-medium">Recent notifications</summary>
          <ul className="mt-2 space-y-1">
            {view.notifications.map((notification) => (
              <li key={notification.id}>
                <span className="text-slate-500"><Time value={notification.createdAt} /></span> · {notification.channel} · {notification.outcome}
                {notification.error ? ` (${notification.error})` : ""} — {notification.text}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </Card>
  );
}
