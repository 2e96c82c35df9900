"use client";

import Link from "next/link";
import { useState } from "react";
import { STAGE_LABELS } from "@/lib/lifecycle";
import { formatDuration, formatInstant } from "@/lib/time";
import { Time, useTimeZone } from "@/components/time";
import type { OrderTraceDto } from "@/lib/order-trace";
import type { StatusAppearanceSettings } from "@/lib/settings";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { LiveIndicator } from "@/components/live-indicator";
import { StageProgress } from "@/components/orders/stage-progress";
import { StatusBadge } from "@/components/orders/status-badge";
import { useOrderTrace } from "@/components/queries/orders";
import { CheckOrder } from "@/components/reconciliation/check-order";

const STEP_STYLE = {
  received: "border-sky-600 bg-sky-600",
  gap: "border-amber-500 border-dashed bg-transparent",
  next: "border-sky-600 bg-white dark:bg-slate-900",
  pending: "border-slate-300 bg-white dark:border-slate-700 dark:bg-slate-900",
} as const;

/** From the first to the last step that arrived; null before two have. */
export function orderDurationMs(timeline: OrderTraceDto["timeline"]): number | null {
  const times = timeline.flatMap((step) => (step.at ? [Date.parse(step.at)] : []));
  return times.length < 2 ? null : Math.max(...times) - Math.min(...times);
}

/**
 * Plain text of the trace for pasting into a support ticket: identifiers and
 * statuses, no personal data; times carry their zone so a colleague elsewhere reads them right.
 */
export function traceAsText(trace: OrderTraceDto, permalink: string, zone: string): string {
  const formatTimestamp = (iso: string) => formatInstant(iso, zone);
  const total = orderDurationMs(trace.timeline);
  const lines = [
    `RxWatch order trace — ${trace.order.shopOrderName ?? ""} ${trace.order.orderUid}`.trim(),
    permalink,
    `Stage: ${STAGE_LABELS[trace.order.stage]} (status "${trace.order.status}") since ${formatTimestamp(trace.order.stageSince)}${trace.order.isStuck ? " — STUCK" : ""}`,
    trace.order.pharmacyName ? `Pharmacy: ${trace.order.pharmacyName}` : null,
    trace.order.expectedNext ? `Expected next: ${trace.order.expectedNext}` : null,
    total !== null ? `Total so far: ${formatDuration(total)}` : null,
    "",
    "Timeline:",
    ...trace.timeline.map(
      (step) =>
        `  [${step.state === "received" ? "x" : step.state === "gap" ? "!" : " "}] ${step.label}${step.at ? ` — ${formatTimestamp(step.at)}` : step.state === "gap" ? " — not received" : ""}${step.sincePreviousMs !== null ? ` (+${formatDuration(step.sincePreviousMs)})` : ""}${step.readFromRxScaleAt ? ` (from RxScale's API at ${formatTimestamp(step.readFromRxScaleAt)}, no webhook received)` : ""}`,
    ),
    "",
    "Events:",
    ...trace.events.map(
      (event) =>
        `  ${formatTimestamp(event.at)} ${event.eventType} ${event.entityUid} "${event.status}"${event.isSuperseded ? " (superseded, arrived late)" : ""}${event.duplicateCount > 0 ? ` (+${event.duplicateCount} duplicate deliveries)` : ""} ${event.source === "reconciliation" ? `[from RxScale's API at ${formatTimestamp(event.receivedAt)}, no webhook received]` : `[${event.processingStatus}]`}`,
    ),
  ];
  return lines.filter((line): line is string => line !== null).join("\n");
}

/** How a fact read from RxScale's orders API (reconciliation) is labelled wherever the trace shows one. */
function ReadFromRxScale({ at }: { at: string }) {
  return (
    <span className="ml-1 rounded bg-violet-100 px-1.5 py-0.5 text-xs text-violet-900 dark:bg-violet-950 dark:text-violet-200" data-testid="read-from-rxscale">
      from RxScale&apos;s API at <Time value={at} />, no webhook received
    </span>
  );
}

export function OrderTraceView({ orderUid, appearance, canSeeDeliveries, canCheckAgainstRxScale }: { orderUid: string; appearance: StatusAppearanceSettings; canSeeDeliveries: boolean; canCheckAgainstRxScale: boolean }) {
  const trace = useOrderTrace(orderUid);
  const [copied, setCopied] = useState<string | null>(null);
  const { zone } = useTimeZone();

  if (trace.isPending) return <p className="text-sm text-slate-500">Loading…</p>;
  if (trace.isError) return <Alert tone="error">{trace.error.message}</Alert>;
  const data = trace.data;
  const order = data.order;

  async function copy(text: string, what: string) {
    await navigator.clipboard.writeText(text);
    setCopied(what);
  }

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-xl font-semibold" data-testid="trace-order">
          {order.shopOrderName ?? order.orderUid}
        </h2>
        <span className="font-mono text-sm text-slate-500">{order.orderUid}</span>
        <StatusBadge status={order.status} appearance={appearance} />
        {order.isStuck ? <span className="rounded bg-red-600 px-2 py-0.5 text-xs font-semibold text-white">Stuck</span> : null}
        <span className="ml-auto flex items-center gap-2">
          <LiveIndicator />
          <Button variant="secondary" onClick={() => copy(window.location.href, "Permalink")}>
            Copy permalink
          </Button>
          <Button variant="secondary" onClick={() => copy(traceAsText(data, window.location.href, zone), "Trace")}>
            Copy trace as text
          </Button>
        </span>
      </div>
      {copied ? <Alert tone="success">{copied} copied.</Alert> : null}
      {canCheckAgainstRxScale ? <CheckOrder orderUid={order.orderUid} /> : null}

      <div className="flex flex-wrap items-center gap-4 text-sm">
        <StageProgress stage={order.stage} reachedStage={order.reachedStage} gaps={order.gaps} />
        <span>
          <span className="font-medium" data-testid="trace-stage">
            {STAGE_LABELS[order.stage]}
          </span>{" "}
          since <Time value={order.stageSince} />
        </span>
        {orderDurationMs(data.timeline) !== null ? <span data-testid="trace-total">Total: {formatDuration(orderDurationMs(data.timeline) ?? 0)}</span> : null}
        {order.pharmacyName ? <span>Pharmacy: {order.pharmacyName}</span> : null}
        {order.deliveryType ? <span>Delivery: {order.deliveryType}</span> : null}
        {order.expectedNext ? <span>Expected next: {order.expectedNext}</span> : null}
      </div>

      <Card title="Timeline" description="Expected steps of the lifecycle, what arrived and when.">
        <ol className="space-y-3" aria-label="Lifecycle timeline">
          {data.timeline.map((step) => (
            <li key={step.stage} className="flex items-start gap-3" data-step={step.stage} data-state={step.state}>
              <span className={`mt-1 h-3 w-3 shrink-0 rounded-full border-2 ${STEP_STYLE[step.state]}`} aria-hidden="true" />
              <div className="text-sm">
                <span className="font-medium">{step.label}</span>{" "}
                {step.at ? <span className="text-slate-600 dark:text-slate-400"><Time value={step.at} /></span> : null}
                {step.sincePreviousMs !== null ? <span className="text-slate-500"> · +{formatDuration(step.sincePreviousMs)}</span> : null}
                {step.state === "gap" ? <span className="ml-1 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200">not received</span> : null}
                {step.state === "next" ? <span className="ml-1 text-xs text-sky-700 dark:text-sky-300">expected next</span> : null}
                {step.readFromRxScaleAt ? <ReadFromRxScale at={step.readFromRxScaleAt} /> : null}
              </div>
            </li>
          ))}
        </ol>
        {order.gaps.length > 0 ? (
          <div className="mt-4">
            <Alert tone="info">
              {STAGE_LABELS[order.reachedStage ?? order.stage]}, but no {order.gaps.map((gap) => STAGE_LABELS[gap].toLowerCase()).join(", ")} received. RxWatch applied the later step anyway; check the subscriptions if this repeats.
            </Alert>
          </div>
        ) : null}
      </Card>

      <Card title="Parts of this order" description="The patient order, its prescriptions and pharmacy orders, each at its newest status.">
        <ul className="grid gap-2 text-sm md:grid-cols-2">
          {data.entities.map((entity) => (
            <li key={`${entity.kind}:${entity.uid}`} className="flex items-center gap-2 rounded border border-slate-200 px-3 py-2 dark:border-slate-800">
              <span className="text-xs uppercase text-slate-500">{entity.kind.replace("_", " ")}</span>
              <span className="font-mono">{entity.uid}</span>
              <StatusBadge status={entity.status} appearance={appearance} />
            </li>
          ))}
        </ul>
      </Card>

      <Card title="Events" description={canSeeDeliveries ? "Every event behind the steps, with its deliveries and processing attempts." : "Every event behind the steps."}>
        <ol className="space-y-3" aria-label="Events">
          {data.events.map((event) => (
            <li key={event.eventId} className="rounded border border-slate-200 p-3 text-sm dark:border-slate-800" data-event-status={event.status} data-superseded={event.isSuperseded} data-source={event.source}>
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-mono text-xs"><Time value={event.at} /></span>
                <span className="font-medium">{event.eventType}</span>
                <span className="font-mono text-xs text-slate-500">{event.entityUid}</span>
                <StatusBadge status={event.status} appearance={appearance} />
                {event.isSuperseded ? <span className="rounded bg-slate-200 px-1.5 py-0.5 text-xs dark:bg-slate-700">superseded — arrived after a newer update</span> : null}
                {event.duplicateCount > 0 ? <span className="text-xs text-slate-500">+{event.duplicateCount} duplicate deliveries</span> : null}
                {event.source === "reconciliation" ? <ReadFromRxScale at={event.receivedAt} /> : <span className="ml-auto text-xs text-slate-500">processing: {event.processingStatus}</span>}
              </div>
              {canSeeDeliveries && event.deliveries.length > 0 ? (
                <ul className="mt-2 space-y-1 text-xs text-slate-600 dark:text-slate-400">
                  {event.deliveries.map((delivery) => (
                    <li key={delivery.id}>
                      Delivery <Time value={delivery.receivedAt} /> · HTTP {delivery.httpStatus} · {delivery.outcome}
                      {delivery.matchedSecretLabel ? ` · signature verified with ${delivery.matchedSecretLabel}` : ""}{" "}
                      <Link className="text-sky-700 underline dark:text-sky-300" href={`/deliveries?delivery=${encodeURIComponent(delivery.id)}`}>
                        raw delivery
                      </Link>
                    </li>
                  ))}
                  {event.attempts.map((attempt) => (
                    <li key={`${event.eventId}-${attempt.attempt}-${attempt.startedAt}`}>
                      Attempt {attempt.attempt} · {attempt.outcome} · <Time value={attempt.startedAt} />
                      {attempt.error ? ` · ${attempt.error}` : ""}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
