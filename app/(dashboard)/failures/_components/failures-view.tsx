"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { HEALTH_RANGE_CHOICES, HEALTH_RANGE_SPECS, healthQuerySchema, type ReplayFilter } from "@/lib/failures";
import { Time } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { HealthChart } from "@/components/charts/health-chart";
import { Skeleton } from "@/components/ui/skeleton";
import { useFailures, useHealth } from "@/components/queries/failures";
import { AlertsPanel } from "./alerts-panel";
import { FailureGroupCard } from "./failure-group-card";
import { ReplayPanel } from "./replay-panel";
import { CheckboxField } from "@/components/ui/field";

function Stat({ label, value, tone = "plain" }: { label: string; value: string; tone?: "plain" | "bad" }) {
  return (
    <div className="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-800">
      <div className="text-xs uppercase text-slate-500">{label}</div>
      <div className={`text-lg font-semibold tabular-nums ${tone === "bad" ? "text-red-700 dark:text-red-300" : ""}`}>{value}</div>
    </div>
  );
}

function HealthSection() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const { range } = healthQuerySchema.parse(Object.fromEntries(searchParams.entries()));
  const health = useHealth(range);
  const data = health.data;
  return (
    <Card
      title="Delivery health"
      description="Deliveries per minute by outcome, how fast RxWatch acknowledged them (p95), and the processing backlog."
      actions={
        <div role="group" aria-label="Time range" className="flex gap-1">
          {HEALTH_RANGE_CHOICES.map((candidate) => (
            <button
              key={candidate}
              type="button"
              aria-pressed={candidate === range}
              title={candidate === "auto" ? "As far back as there are deliveries" : HEALTH_RANGE_SPECS[candidate].label}
              onClick={() => router.replace(`${pathname}?range=${candidate}`, { scroll: false })}
              className={`rounded-md border px-2 py-1 text-sm ${candidate === range ? "border-slate-900 bg-slate-900 text-white dark:border-slate-100 dark:bg-slate-100 dark:text-slate-900" : "border-slate-300 dark:border-slate-700"}`}
            >
              {candidate}
            </button>
          ))}
        </div>
      }
    >
      {health.isError ? <Alert tone="error">{health.error.message}</Alert> : null}
      {data ? (
        <>
          <div className="mb-4 grid grid-cols-2 gap-2 md:grid-cols-4 xl:grid-cols-8">
            <Stat label="Accepted" value={String(data.totals.accepted)} />
            <Stat label="Duplicates" value={String(data.totals.duplicate)} />
            <Stat label="Rejected" value={String(data.totals.rejected)} tone={data.totals.rejected > 0 ? "bad" : "plain"} />
            <Stat label="Quarantined" value={String(data.totals.quarantined)} tone={data.totals.quarantined > 0 ? "bad" : "plain"} />
            <Stat label="p95 ack" value={data.totals.p95AckMs === null ? "—" : `${Math.round(data.totals.p95AckMs)} ms`} />
            <Stat label="Pending now" value={String(data.backlog.pending + data.backlog.processing)} />
            <Stat label="Retrying now" value={String(data.backlog.failed)} tone={data.backlog.failed > 0 ? "bad" : "plain"} />
            <Stat label="Dead now" value={String(data.backlog.dead)} tone={data.backlog.dead > 0 ? "bad" : "plain"} />
          </div>
          {data.isAutomatic ? <p className="mb-2 text-xs text-slate-500" data-testid="health-window">Showing {HEALTH_RANGE_SPECS[data.range].label.toLowerCase()}: the shortest range that holds every delivery so far.</p> : null}
          <HealthChart points={data.points} isLongRange={data.range === "7d"} />
        </>
      ) : (
        <Skeleton label="delivery health" lines={6} />
      )}
    </Card>
  );
}

/** The failures page: health, grouped problems as incidents, and for admins bulk replay and alerts. */
export function FailuresView({ isAdmin }: { isAdmin: boolean }) {
  const failures = useFailures();
  const [isShowingResolved, setShowingResolved] = useState(false);
  const [replay, setReplay] = useState<{ filter: ReplayFilter | null; version: number }>({ filter: null, version: 0 });
  const groups = failures.data?.groups ?? [];
  const shown = groups.filter((group) => isShowingResolved || group.state !== "resolved");
  const resolvedCount = groups.length - groups.filter((group) => group.state !== "resolved").length;

  function openReplay(filter: ReplayFilter) {
    setReplay((current) => ({ filter, version: current.version + 1 }));
    requestAnimationFrame(() => document.getElementById("replay")?.scrollIntoView({ behavior: "smooth" }));
  }

  return (
    <div className="space-y-6">
      <HealthSection />

      <section aria-labelledby="problems-heading" className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <h2 id="problems-heading" className="text-lg font-semibold">
            Problems
          </h2>
          <CheckboxField checked={isShowingResolved} onChange={(event) => setShowingResolved(event.target.checked)} label={`Show resolved (${resolvedCount})`} />
          {failures.data ? <span className="ml-auto text-xs text-slate-500">Checked <Time value={failures.data.scannedAt} /></span> : null}
        </div>
        {failures.isError ? <Alert tone="error">{failures.error.message}</Alert> : null}
        {failures.data && shown.length === 0 ? (
          <EmptyState title={groups.length === 0 ? "No failures recorded" : "No open problems"}>
            <p>Signature failures, invalid payloads, processing errors, duplicate storms, unknown event types, stuck orders and silence are grouped here, each with its likely cause.</p>
            {!failures.data.hasEverReceived ? <p>No delivery has reached RxWatch yet, so silence is not judged.</p> : null}
          </EmptyState>
        ) : null}
        <div className="space-y-3">
          {shown.map((group) => (
            <FailureGroupCard key={group.key} group={group} isAdmin={isAdmin} onReplay={openReplay} />
          ))}
        </div>
      </section>

      {isAdmin ? (
        <>
          <section id="replay">
            <ReplayPanel prefill={replay.filter} prefillVersion={replay.version} />
          </section>
          <section id="alerts">
            <AlertsPanel />
          </section>
        </>
      ) : null}
    </div>
  );
}
