"use client";

import { useState, type FormEvent } from "react";
import { STAGE_LABELS } from "@/lib/lifecycle";
import { REPLAY_RATE_LIMITS, type ReplayFilter, type ReplayJobDto } from "@/lib/failures";
import { Time } from "@/components/time";
import type { EventStatus } from "@/lib/processing";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { Card } from "@/components/ui/card";
import { CheckboxField, TextField } from "@/components/ui/field";
import { useCancelReplay, usePlanReplay, useReplayJob, useReplayJobs, useStartReplay } from "@/components/queries/failures";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";

const SELECTABLE_STATUSES: { status: EventStatus; label: string }[] = [
  { status: "dead", label: "Dead letters" },
  { status: "failed", label: "Retrying" },
  { status: "processed", label: "Processed" },
];

function stageText(value: { stage: keyof typeof STAGE_LABELS; status: string } | null): string {
  return value ? `${STAGE_LABELS[value.stage]} (${value.status})` : "not yet an order";
}

function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function PlanSummary({ job }: { job: ReplayJobDto }) {
  const { plan } = job;
  return (
    <div className="space-y-3 text-sm" data-testid="replay-plan">
      <p>
        <strong>{plan.events}</strong> {plan.events === 1 ? "event" : "events"} ({plan.byStatus.map((entry) => `${entry.count} ${entry.value}`).join(", ")}; {plan.byType.map((entry) => `${entry.value} ${entry.count}`).join(", ")}).{" "}
        <strong>{plan.contributing}</strong> would record what they say about an order; <strong>{plan.orderChangeCount}</strong> {plan.orderChangeCount === 1 ? "order" : "orders"} would change, {plan.ordersUnchanged} would stay as they are.
      </p>
      {plan.expectedToFail.length > 0 ? (
        <Alert tone="error">
          Expected to fail again:{" "}
          {plan.expectedToFail.map((entry) => (
            <span key={entry.value} className="block">
              {entry.count} × {entry.value}
            </span>
          ))}
        </Alert>
      ) : null}
      {plan.orderChanges.length > 0 ? (
        <Table label="Orders that would change" variant="compact">
          <TableHead>
            <TableHeaderCell>Order</TableHeaderCell>
            <TableHeaderCell>Now</TableHeaderCell>
            <TableHeaderCell>After the replay</TableHeaderCell>
            {job.state !== "planned" ? <TableHeaderCell>Current</TableHeaderCell> : null}
          </TableHead>
          <TableBody>
            {plan.orderChanges.map((change) => {
              const outcome = job.outcome.find((entry) => entry.orderUid === change.orderUid);
              const isReached = outcome?.actual?.stage === change.after.stage && outcome.actual.status === change.after.status;
              return (
                <TableRow key={change.orderUid} data-order-uid={change.orderUid}>
                  <TableCell>
                    <a className="text-sky-800 hover:underline dark:text-sky-300" href={`/orders/${encodeURIComponent(change.orderUid)}`}>
                      {change.shopOrderName ?? change.orderUid}
                    </a>
                  </TableCell>
                  <TableCell>{stageText(change.before)}</TableCell>
                  <TableCell>{stageText(change.after)}</TableCell>
                  {job.state !== "planned" ? <TableCell>{isReached ? "✓ as planned" : stageText(outcome?.actual ?? null)}</TableCell> : null}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      ) : null}
    </div>
  );
}

function JobProgress({ job }: { job: ReplayJobDto }) {
  const percent = job.total > 0 ? Math.round((job.queued / job.total) * 100) : 100;
  return (
    <div className="space-y-2 text-sm">
      <div className="flex items-center gap-3">
        <progress className="h-2 w-64" max={job.total} value={job.queued} aria-label="Replay progress" />
        <span data-testid="replay-state">
          {job.state === "running" ? `Queued ${job.queued} of ${job.total} (${percent}%)` : `${job.state[0]?.toUpperCase() ?? ""}${job.state.slice(1)}: queued ${job.queued} of ${job.total}`}
        </span>
      </div>
      <p className="text-slate-600 dark:text-slate-400">Events now: {job.progress.map((entry) => `${entry.count} ${entry.value}`).join(", ") || "none left"}</p>
      {job.error ? <Alert tone="error">{job.error}</Alert> : null}
    </div>
  );
}

/**
 * Bulk replay (admins): choose events, dry run (how many, which orders would
 * change and how), then run it in the background at a throttle, watch its
 * progress, or cancel it.
 */
export function ReplayPanel({ prefill, prefillVersion }: { prefill: ReplayFilter | null; prefillVersion: number }) {
  const planReplay = usePlanReplay();
  const start = useStartReplay();
  const cancel = useCancelReplay();
  const jobs = useReplayJobs(true);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useReplayJob(jobId);
  const current = job.data ?? null;

  async function onDryRun(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === "string" && value.trim() ? value.trim() : undefined;
    };
    const instant = (name: string) => {
      const value = text(name);
      return value ? new Date(value).toISOString() : undefined;
    };
    const statuses = SELECTABLE_STATUSES.map((entry) => entry.status).filter((status) => data.get(`status-${status}`) === "on");
    const planned = await planReplay.mutateAsync({
      filter: {
        statuses: statuses.length > 0 ? statuses : undefined,
        eventType: text("eventType"),
        errorContains: text("errorContains"),
        receivedFrom: instant("receivedFrom"),
        receivedTo: instant("receivedTo"),
      },
      eventsPerSecond: Number(text("eventsPerSecond") ?? REPLAY_RATE_LIMITS.default),
    });
    setJobId(planned.id);
  }

  return (
    <Card title="Replay events" description="Re-process a filtered set of events, for example the dead letters of one type after the cause was fixed. A dry run comes first; nothing runs until you start it.">
      <form key={prefillVersion} onSubmit={onDryRun} aria-label="Replay filter" className="grid gap-3 md:grid-cols-3 md:items-end">
        <fieldset className="text-sm md:col-span-3">
          <legend className="font-medium">Processing status</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {SELECTABLE_STATUSES.map((entry) => (
              <CheckboxField
                key={entry.status}
                fieldClassName="flex items-center gap-2"
                name={`status-${entry.status}`}
                defaultChecked={prefill ? (prefill.statuses ?? []).includes(entry.status) : entry.status === "dead"}
                label={entry.label}
              />
            ))}
          </div>
        </fieldset>
        <TextField label="Event type" name="eventType" defaultValue={prefill?.eventType ?? ""} placeholder="e.g. pharmacy_order_updated" />
        <TextField label="Error contains" name="errorContains" defaultValue={prefill?.errorContains ?? ""} placeholder="e.g. invalid_payload" />
        <TextField label="Events per second" name="eventsPerSecond" type="number" min={REPLAY_RATE_LIMITS.min} max={REPLAY_RATE_LIMITS.max} defaultValue={REPLAY_RATE_LIMITS.default} />
        <TextField label="Received from" name="receivedFrom" type="datetime-local" defaultValue={toLocalInput(prefill?.receivedFrom)} />
        <TextField label="Received before" name="receivedTo" type="datetime-local" defaultValue={toLocalInput(prefill?.receivedTo)} />
        <Button type="submit" disabled={planReplay.isPending}>
          Dry run
        </Button>
      </form>
      {planReplay.isError ? (
        <div className="mt-3">
          <Alert tone="error">{planReplay.error.message}</Alert>
        </div>
      ) : null}

      {current ? (
        <section aria-label="Replay" className="mt-4 space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-800">
          <PlanSummary job={current} />
          {current.state === "planned" ? (
            <div className="flex flex-wrap gap-2">
              <Button disabled={start.isPending} onClick={() => start.mutate(current.id)}>
                Replay {current.total} {current.total === 1 ? "event" : "events"}
              </Button>
              <Button variant="ghost" disabled={cancel.isPending} onClick={() => cancel.mutate(current.id)}>
                Discard
              </Button>
            </div>
          ) : (
            <JobProgress job={current} />
          )}
          {current.state === "running" ? (
            <ConfirmButton
              disabled={cancel.isPending || current.isCancelRequested}
              title="Cancel this replay?"
              description={`No further events are queued (${current.queued} of ${current.total} are so far). Events already replayed keep their new result; nothing is rolled back.`}
              confirmLabel="Cancel replay"
              onConfirm={() => cancel.mutateAsync(current.id)}
            >
              {current.isCancelRequested ? "Cancelling…" : "Cancel replay"}
            </ConfirmButton>
          ) : null}
          {start.isError ? <Alert tone="error">{start.error.message}</Alert> : null}
          {cancel.isError ? <Alert tone="error">{cancel.error.message}</Alert> : null}
        </section>
      ) : null}

      {jobs.data && jobs.data.jobs.length > 0 ? (
        <details className="mt-4 text-sm">
          <summary className="cursor-pointer font-medium">Recent replays</summary>
          <ul className="mt-2 space-y-1">
            {jobs.data.jobs.map((entry) => (
              <li key={entry.id} className="flex flex-wrap gap-2">
                <button type="button" className="text-sky-800 hover:underline dark:text-sky-300" onClick={() => setJobId(entry.id)}>
                  <Time value={entry.createdAt} />
                </button>
                <span>
                  {entry.state} · {entry.total} events · {entry.plan.orderChangeCount} orders · by {entry.createdBy}
                </span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </Card>
  );
}
