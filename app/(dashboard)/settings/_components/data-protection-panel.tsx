"use client";

import { useRef, useState, type FormEvent } from "react";
import { forgetPatientRequestSchema, type ForgetPatientRequest, type ForgetPatientResultDto, type PurgeRunDto } from "@/lib/data-protection";
import { retentionSettingsSchema, type RetentionSettings } from "@/lib/settings";
import { Time } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmButton, ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { TextField } from "@/components/ui/field";
import { useForgetPatient, usePurgeRuns, useStartPurge } from "@/components/queries/data-protection";
import { useLocalSettings, useSaveLocalSettings } from "@/components/queries/settings";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";

const RETENTION_FIELDS: { field: keyof RetentionSettings; label: string; help: string }[] = [
  { field: "rawBodyDays", label: "Raw bodies (days)", help: "Webhook bodies as received. The delivery's metadata, the event and the order's progress stay." },
  { field: "rejectedDeliveryDays", label: "Rejected deliveries (days)", help: "Requests that failed verification, deleted whole." },
  { field: "eventDays", label: "Events (days)", help: "Processed events with their deliveries; an order goes once none of its events remain." },
  { field: "auditDays", label: "Audit log (days)", help: "At least as long as every other period." },
];

/** Counts as words, leaving out kinds with nothing removed. */
function describeCounts(removed: Record<string, number>): string {
  const parts = Object.entries(removed)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`);
  return parts.length > 0 ? parts.join(" · ") : "nothing";
}

function RetentionForm() {
  const settings = useLocalSettings("retention");
  const save = useSaveLocalSettings("retention");
  const [issues, setIssues] = useState<Partial<Record<string, string>>>({});
  const [isSaved, setIsSaved] = useState(false);
  if (!settings.data) return <Card title="Retention">{settings.isError ? <Alert tone="error">{settings.error.message}</Alert> : <Skeleton label="retention periods" />}</Card>;
  const current = settings.data;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setIsSaved(false);
    const data = new FormData(event.currentTarget);
    const parsed = retentionSettingsSchema.safeParse(Object.fromEntries(RETENTION_FIELDS.map(({ field }) => [field, Number(data.get(field))])));
    if (!parsed.success) {
      setIssues(Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0] ?? ""), issue.message])));
      return;
    }
    setIssues({});
    try {
      await save.mutateAsync(parsed.data);
      setIsSaved(true);
    } catch {
      // Shown below from save.error.
    }
  }

  return (
    <Card title="Retention" description="How long each kind of record is kept. The purge runs every hour (RXWATCH_RETENTION_INTERVAL_MINUTES) in small batches.">
      <form onSubmit={onSubmit} aria-label="Retention" noValidate className="grid gap-3 md:grid-cols-4 md:items-start">
        {RETENTION_FIELDS.map(({ field, label, help }) => (
          <TextField key={field} label={label} name={field} type="number" min={1} step={1} defaultValue={String(current[field])} required hint={issues[field] ? undefined : help} error={issues[field]} />
        ))}
        <Button type="submit" disabled={save.isPending} className="md:col-span-4 md:justify-self-start">
          Save retention
        </Button>
      </form>
      <div className="mt-3">
        {isSaved ? <Alert tone="success">Saved. The next purge uses these periods.</Alert> : null}
        {save.isError ? <Alert tone="error">{save.error.message}</Alert> : null}
      </div>
    </Card>
  );
}

function runLabel(run: PurgeRunDto): string {
  if (run.trigger === "forget_patient") return "Erasure request";
  return run.isManual ? "Retention (manual)" : "Retention";
}

function PurgeRunsCard() {
  const runs = usePurgeRuns();
  const start = useStartPurge();
  const isRunning = runs.data?.runs.some((run) => run.state === "running") ?? false;
  return (
    <Card title="Purge runs" description="The latest retention purges and erasure requests, with what each removed. Each is also in the audit log.">
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <ConfirmButton
          variant="secondary"
          disabled={start.isPending || isRunning}
          title="Run the retention purge now?"
          description="Everything older than the retention periods above is deleted for good, as the hourly purge would. This cannot be undone."
          confirmLabel="Purge now"
          onConfirm={() => start.mutateAsync()}
        >
          Run purge now
        </ConfirmButton>
        {isRunning ? <span className="text-sm text-slate-600 dark:text-slate-400">A purge is running…</span> : null}
      </div>
      {runs.isError ? <Alert tone="error">{runs.error.message}</Alert> : null}
      {start.isError ? <Alert tone="error">{start.error.message}</Alert> : null}
      <Table label="Purge runs">
        <TableHead>
          <TableHeaderCell>Started</TableHeaderCell>
          <TableHeaderCell>Kind</TableHeaderCell>
          <TableHeaderCell>State</TableHeaderCell>
          <TableHeaderCell>Removed</TableHeaderCell>
        </TableHead>
        <TableBody>
          {runs.data?.runs.map((run) => (
            <TableRow key={run.id}>
              <TableCell className="whitespace-nowrap"><Time value={run.startedAt} /></TableCell>
              <TableCell>{runLabel(run)}</TableCell>
              <TableCell>{run.state === "failed" ? `failed: ${run.error ?? "unknown"}` : run.state}</TableCell>
              <TableCell>{run.state === "running" ? "…" : describeCounts(run.removed)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {runs.data?.runs.length === 0 ? <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">No purge has run yet. The first runs a few minutes after start.</p> : null}
    </Card>
  );
}

function describeForgotten(result: ForgetPatientResultDto): string {
  if (result.isNothingFound) return "Nothing refers to this patient any more: forgotten before, or never seen. The request was audited.";
  const { bodies, deliveries, events, orderFacts, orders, revealGrants } = result.removed;
  return `Patient forgotten: ${bodies} bodies removed; ${deliveries} deliveries, ${events} events, ${orderFacts} order facts and ${orders} orders unlinked (their progress stays); ${revealGrants} reveal grants deleted.`;
}

function ForgetPatientCard() {
  const forget = useForgetPatient();
  const form = useRef<HTMLFormElement>(null);
  const [pending, setPending] = useState<ForgetPatientRequest | null>(null);
  const [issues, setIssues] = useState<string[]>([]);
  const [result, setResult] = useState<ForgetPatientResultDto | null>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setResult(null);
    const data = new FormData(event.currentTarget);
    const parsed = forgetPatientRequestSchema.safeParse({ patientUid: data.get("patientUid"), reason: data.get("reason") });
    if (!parsed.success) {
      setIssues(parsed.error.issues.map((issue) => issue.message));
      return;
    }
    setIssues([]);
    setPending(parsed.data);
  }

  async function onConfirm() {
    if (!pending) return;
    try {
      const answer = await forget.mutateAsync(pending);
      setPending(null);
      form.current?.reset();
      setResult(answer);
    } catch {
      // Shown below from forget.error; the form keeps its values for another try.
    }
  }

  return (
    <Card
      title="Forget a patient"
      description="For an erasure request: removes every stored webhook body that mentions the patient and unlinks their deliveries, events and orders. Orders keep their progress summary. The uid is not stored; the audit log records the request's reference."
    >
      <form ref={form} onSubmit={onSubmit} aria-label="Forget a patient" noValidate className="grid gap-3 md:grid-cols-3 md:items-end">
        <TextField label="Patient uid" name="patientUid" autoComplete="off" required disabled={pending !== null} placeholder="as RxScale sends it" />
        <TextField label="Reason" name="reason" required disabled={pending !== null} maxLength={500} placeholder="e.g. erasure request 2026-031" />
        <Button type="submit" variant="danger" disabled={pending !== null || forget.isPending}>
          Forget patient…
        </Button>
      </form>
      <div className="mt-3 space-y-2">
        {issues.map((issue) => (
          <Alert key={issue} tone="error">
            {issue}
          </Alert>
        ))}
        <ConfirmDialog
          isOpen={pending !== null}
          title="Forget this patient?"
          description="Every stored body that mentions this patient is removed for good, and their deliveries, events and orders are unlinked. This cannot be undone."
          confirmLabel="Yes, forget this patient"
          isPending={forget.isPending}
          onConfirm={() => void onConfirm()}
          onCancel={() => setPending(null)}
        />
        {result ? <Alert tone="success">{describeForgotten(result)}</Alert> : null}
        {forget.isError ? <Alert tone="error">{forget.error.message}</Alert> : null}
      </div>
    </Card>
  );
}

/** Settings → Data protection (admins): retention periods, purge runs and erasure requests. */
export function DataProtectionPanel() {
  return (
    <div className="grid grid-cols-1 gap-6">
      <RetentionForm />
      <PurgeRunsCard />
      <ForgetPatientCard />
    </div>
  );
}
