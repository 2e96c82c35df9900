"use client";

import { useState, type FormEvent } from "react";
import { STATUS_COLOURS, statusAppearanceSchema, type SettingsKey, type SettingsValue } from "@/lib/settings";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { TextField } from "@/components/ui/field";
import { StatusBadge } from "@/components/orders/status-badge";
import { useLocalSettings, useSaveLocalSettings } from "@/components/queries/settings";

type FlatKey = "eventNames" | "stuckThresholds";

const LABELS: Record<string, string> = {
  orderCreated: "Order created",
  orderUpdated: "Order updated",
  prescriptionApproved: "Prescription approved",
  prescriptionSigned: "Prescription signed",
  prescriptionDeclined: "Prescription declined",
  awaitingPrescriptionHours: "Awaiting prescription (hours)",
  awaitingSignatureHours: "Awaiting signature (hours)",
  waitingForPharmacyHours: "Waiting for pharmacy (hours)",
  inPharmacyHours: "In the pharmacy (hours)",
  readyForPickupHours: "Ready / shipped (hours)",
  onHoldHours: "On hold (hours)",
  needsAttentionHours: "Needs attention (hours)",
};

/** A form over a settings document whose fields are all strings or all numbers. */
function FlatSettingsForm<K extends FlatKey>({ settingsKey, title, description }: { settingsKey: K; title: string; description: string }) {
  const settings = useLocalSettings(settingsKey);
  const save = useSaveLocalSettings(settingsKey);
  const [saved, setSaved] = useState(false);
  if (!settings.data) return <Card title={title}>{settings.isError ? <Alert tone="error">{settings.error.message}</Alert> : <Skeleton label={title.toLowerCase()} />}</Card>;
  const value = settings.data as Record<string, string | number>;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const data = new FormData(event.currentTarget);
    const next: Record<string, string | number> = {};
    for (const [field, current] of Object.entries(value)) {
      const raw = String(data.get(field) ?? "");
      next[field] = typeof current === "number" ? Number(raw) : raw;
    }
    await save.mutateAsync(next as SettingsValue<K>);
    setSaved(true);
  }

  return (
    <Card title={title} description={description}>
      <form onSubmit={onSubmit} aria-label={title} className="grid gap-3 md:grid-cols-3 md:items-end">
        {Object.entries(value).map(([field, current]) => (
          <TextField key={field} label={LABELS[field] ?? field} name={field} defaultValue={String(current)} type={typeof current === "number" ? "number" : "text"} step="any" required />
        ))}
        <Button type="submit" disabled={save.isPending}>
          Save {title.toLowerCase()}
        </Button>
      </form>
      <div className="mt-3">
        {saved ? <Alert tone="success">Saved.</Alert> : null}
        {save.isError ? <Alert tone="error">{save.error.message}</Alert> : null}
      </div>
    </Card>
  );
}

function StatusAppearanceForm() {
  const key: SettingsKey = "statusAppearance";
  const settings = useLocalSettings(key);
  const save = useSaveLocalSettings(key);
  const [saved, setSaved] = useState(false);
  if (!settings.data) return <Card title="Status labels and colours">{settings.isError ? <Alert tone="error">{settings.error.message}</Alert> : <Skeleton label="status labels" lines={5} />}</Card>;
  const appearance = settings.data;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const form = event.currentTarget;
    const data = new FormData(form);
    const next: SettingsValue<"statusAppearance"> = {};
    for (const status of Object.keys(appearance)) next[status] = statusAppearanceSchema.parse({ label: data.get(`label:${status}`), colour: data.get(`colour:${status}`) });
    const added = String(data.get("newStatus") ?? "").trim();
    if (added) next[added] = statusAppearanceSchema.parse({ label: String(data.get("newLabel") ?? "").trim() || added, colour: data.get("newColour") });
    await save.mutateAsync(next);
    form.reset();
    setSaved(true);
  }

  return (
    <Card title="Status labels and colours" description="How each exact RxScale status string is shown. Statuses not listed appear as sent, in grey.">
      <form onSubmit={onSubmit} aria-label="Status labels and colours" className="space-y-2">
        <div className="grid gap-2 md:grid-cols-2">
          {Object.entries(appearance).map(([status, look]) => (
            <div key={status} className="flex flex-wrap items-center gap-2 text-sm">
              <code className="w-40 shrink-0 truncate" title={status}>
                {status}
              </code>
              <input aria-label={`Label for ${status}`} name={`label:${status}`} defaultValue={look.label} className="w-44 max-w-full rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-950" />
              <select aria-label={`Colour for ${status}`} name={`colour:${status}`} defaultValue={look.colour} className="rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-950">
                {STATUS_COLOURS.map((colour) => (
                  <option key={colour}>{colour}</option>
                ))}
              </select>
              <StatusBadge status={status} appearance={appearance} />
            </div>
          ))}
        </div>
        <div className="flex flex-wrap items-center gap-2 border-t border-slate-200 pt-3 text-sm dark:border-slate-800">
          <input aria-label="New status" name="newStatus" placeholder="another status string" className="rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-950" />
          <input aria-label="New status label" name="newLabel" placeholder="label" className="rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-950" />
          <select aria-label="New status colour" name="newColour" defaultValue="slate" className="rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-950">
            {STATUS_COLOURS.map((colour) => (
              <option key={colour}>{colour}</option>
            ))}
          </select>
          <Button type="submit" disabled={save.isPending}>
            Save statuses
          </Button>
        </div>
      </form>
      <div className="mt-3">
        {saved ? <Alert tone="success">Saved.</Alert> : null}
        {save.isError ? <Alert tone="error">{save.error.message}</Alert> : null}
      </div>
    </Card>
  );
}

export function LocalSettingsPanel() {
  return (
    <div className="grid grid-cols-1 gap-6">
      <FlatSettingsForm
        settingsKey="eventNames"
        title="Event names"
        description="RxScale documents wire names only for its pharmacy events. These are the names RxWatch reads for order and prescription events; change them if your RxScale account sends others."
      />
      <FlatSettingsForm settingsKey="stuckThresholds" title="Stuck thresholds" description="How long an order may stay in a stage before it is marked stuck." />
      <StatusAppearanceForm />
    </div>
  );
}
