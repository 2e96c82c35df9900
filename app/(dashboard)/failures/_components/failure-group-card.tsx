"use client";

import Link from "next/link";
import { describeFailureGroup, type FailureGroupDto, type ReplayFilter } from "@/lib/failures";
import { Time, useFormatInstant } from "@/components/time";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { Sparkline } from "@/components/charts/sparkline";
import { useReprocessEvent } from "@/components/queries/deliveries";
import { useChangeIncident } from "@/components/queries/failures";
import { useMarkChangeExpected } from "@/components/queries/event-catalogue";

const STATE_STYLES = {
  open: "bg-red-600 text-white",
  acknowledged: "bg-amber-500 text-white",
  resolved: "bg-emerald-600 text-white",
} as const;

const STATE_LABELS = { open: "Open", acknowledged: "Acknowledged", resolved: "Resolved" } as const;

function countLabel(group: FailureGroupDto): string {
  switch (group.kind) {
    case "silence":
      return `${group.count} min without a delivery`;
    case "stuck_orders":
      return `${group.count} ${group.count === 1 ? "order" : "orders"}`;
    case "processing":
      return `${group.count} ${group.count === 1 ? "event" : "events"}`;
    case "duplicate_storm":
      return `${group.count} duplicates`;
    case "rejected_over_budget":
      return `${group.count} ${group.count === 1 ? "request" : "requests"} counted, not stored`;
    case "webhooks_missed":
      return `${group.count} ${group.count === 1 ? "order" : "orders"}`;
    case "payload_drift":
      return `${group.count} ${group.count === 1 ? "event" : "events"}`;
    case "subscription":
      return "subscription health check";
    case "quiet_type":
      return `${group.count} min without one`;
    default:
      return `${group.count} ${group.count === 1 ? "delivery" : "deliveries"}`;
  }
}

/** One failure group as an incident: what, how often, since when, the likely cause, and the incident's state. */
export function FailureGroupCard({ group, isAdmin, onReplay }: { group: FailureGroupDto; isAdmin: boolean; onReplay: (filter: ReplayFilter) => void }) {
  const change = useChangeIncident();
  const reprocess = useReprocessEvent();
  const markExpected = useMarkChangeExpected();
  const drift = group.evidence.kind === "payload_drift" ? group.evidence : null;
  const formatInstant = useFormatInstant();
  // "14:02 UTC+1": the cause names times of one day, so the date is left out but the zone stays.
  const { title, cause, advice } = describeFailureGroup(group, (iso) => formatInstant(iso).slice(11).replace(/:\d\d(?= )/, ""));
  const total = group.trend.reduce((sum, count) => sum + count, 0);
  const samples = group.evidence.kind === "processing" ? group.evidence.sampleEventIds : [];

  return (
    <article aria-label={title} data-group-key={group.key} data-state={group.state} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1">
          <h3 className="flex flex-wrap items-center gap-2 font-semibold">
            {title}
            <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${STATE_STYLES[group.state]}`}>{STATE_LABELS[group.state]}</span>
            {group.isActive ? <span className="text-xs font-medium text-red-700 dark:text-red-300">ongoing</span> : null}
          </h3>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            <span className="font-medium tabular-nums text-slate-900 dark:text-slate-100" data-testid="group-count">
              {countLabel(group)}
            </span>{" "}
            · first seen <Time value={group.firstSeenAt} /> · last seen <Time value={group.lastSeenAt} />
          </p>
        </div>
        <Sparkline values={group.trend} label={`Trend over 24 hours: ${total} in total`} tone={group.state === "resolved" ? "slate" : group.state === "acknowledged" ? "amber" : "red"} />
      </div>
      <p className="mt-3 text-sm">
        <span className="font-semibold">Likely cause: </span>
        <span data-testid="likely-cause">{cause}</span>
      </p>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        <span className="font-semibold">What to do: </span>
        {advice}
      </p>
      {samples.length > 0 ? (
        <div className="mt-2 flex flex-wrap items-center gap-2 text-xs">
          <span className="text-slate-500">Events:</span>
          {samples.map((id) => (
            <span key={id} className="flex items-center gap-1">
              <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">{id.slice(0, 8)}</code>
              <Button variant="ghost" className="px-1.5 py-0.5 text-xs" disabled={reprocess.isPending} onClick={() => reprocess.mutate(id)} aria-label={`Re-process event ${id}`}>
                Re-process
              </Button>
            </span>
          ))}
        </div>
      ) : null}
      {drift?.maskedExample ? (
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer font-medium">Example payload (masked)</summary>
          <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-100 p-2 text-xs break-all whitespace-pre-wrap dark:bg-slate-800">{drift.maskedExample}</pre>
        </details>
      ) : null}
      <div className="mt-3 flex flex-wrap items-center gap-2">
        {isAdmin && drift && !drift.expected ? (
          <ConfirmButton
            variant="secondary"
            disabled={markExpected.isPending}
            title="Mark this payload change expected?"
            description="It becomes the new normal: the group is resolved in your name, stops counting and never raises again. This is recorded in the audit log."
            confirmLabel="Mark expected"
            onConfirm={() => markExpected.mutateAsync(group.key)}
          >
            Mark expected
          </ConfirmButton>
        ) : null}
        {group.state === "open" ? (
          <Button variant="secondary" disabled={change.isPending} onClick={() => change.mutate({ key: group.key, action: "acknowledge" })}>
            Acknowledge
          </Button>
        ) : null}
        {group.state !== "resolved" ? (
          <Button variant="secondary" disabled={change.isPending} onClick={() => change.mutate({ key: group.key, action: "resolve" })}>
            Resolve
          </Button>
        ) : (
          <Button variant="ghost" disabled={change.isPending} onClick={() => change.mutate({ key: group.key, action: "reopen" })}>
            Reopen
          </Button>
        )}
        {group.evidence.kind === "webhooks_missed" ? (
          <Link className="text-sm text-sky-700 underline dark:text-sky-300" href={`/reconciliation?run=${encodeURIComponent(group.evidence.runId)}`}>
            Open the reconciliation run
          </Link>
        ) : null}
        {isAdmin && group.evidence.kind === "subscription" && group.state !== "resolved" ? (
          <Link className="text-sm text-sky-700 underline dark:text-sky-300" href="/settings/rxscale">
            Re-create in Settings → RxScale
          </Link>
        ) : null}
        {isAdmin && group.replay ? (
          <Button variant="secondary" onClick={() => group.replay && onReplay(group.replay)}>
            Replay these events…
          </Button>
        ) : null}
        <span className="ml-auto text-xs text-slate-500">
          {group.acknowledgedAt ? <>Acknowledged by {group.acknowledgedBy ?? "someone"} at <Time value={group.acknowledgedAt} />. </> : null}
          {group.resolvedAt ? <>Resolved {group.resolvedBy ? `by ${group.resolvedBy}` : "automatically"} at <Time value={group.resolvedAt} />.</> : null}
        </span>
      </div>
      {markExpected.isError ? <p className="mt-2 text-sm text-red-700 dark:text-red-300">{markExpected.error.message}</p> : null}
      {change.isError ? <p className="mt-2 text-sm text-red-700 dark:text-red-300">{change.error.message}</p> : null}
      {reprocess.isSuccess ? <p className="mt-2 text-sm text-emerald-700 dark:text-emerald-300">Queued for re-processing.</p> : null}
    </article>
  );
}
