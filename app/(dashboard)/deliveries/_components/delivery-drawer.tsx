"use client";

import { Skeleton } from "@/components/ui/skeleton";
import Link from "next/link";
import { useEffect, useRef, type ReactNode } from "react";
import type { DeliveryDetailDto } from "@/lib/deliveries";
import { formatDuration } from "@/lib/time";
import { Time } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useDeliveryDetail, useReprocessEvent } from "@/components/queries/deliveries";
import { Badge, OutcomeBadge, ProcessingBadge } from "./badges";
import { BodyWithPersonalData } from "./personal-data";

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `delivery-section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section aria-labelledby={id} className="border-t border-slate-200 px-5 py-4 dark:border-slate-800">
      <h3 id={id} className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-500">
        {title}
      </h3>
      {children}
    </section>
  );
}

function Fields({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[10rem_1fr] gap-x-3 gap-y-1.5 text-sm">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-slate-500">{term}</dt>
          <dd className="min-w-0 break-words">{value ?? <span className="text-slate-400">—</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

const VERIFICATION_LOOK = {
  verified: { tone: "emerald", text: "Signature verified" },
  failed: { tone: "red", text: "Signature not verified" },
  not_checked: { tone: "slate", text: "Signature not checked" },
} as const;

function Verification({ verification }: { verification: DeliveryDetailDto["verification"] }) {
  const look = VERIFICATION_LOOK[verification.status];
  return (
    <div className="space-y-3 text-sm" data-verification={verification.status}>
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={look.tone}>{look.text}</Badge>
        {verification.reasonCode ? <span className="font-mono text-xs">{verification.reasonCode}</span> : null}
      </div>
      <p>{verification.explanation}</p>
      <Fields
        rows={[
          ["Matched secret", verification.secretId ? `${verification.secretId}${verification.secretDescription ? ` — ${verification.secretDescription}` : ""}` : null],
          ["Signature header", verification.signatureHeader ? <span className="font-mono text-xs break-all">{verification.signatureHeader}</span> : null],
        ]}
      />
    </div>
  );
}

function EventSection({ detail, onOpen }: { detail: DeliveryDetailDto; onOpen: (id: string) => void }) {
  const reprocess = useReprocessEvent();
  const event = detail.event;
  if (!event) {
    return <p className="text-sm text-slate-600 dark:text-slate-400">This delivery was rejected, so it never became an event and was not processed.</p>;
  }
  const shownDeliveries = detail.eventDeliveries.length;
  const allDeliveries = event.duplicateCount + 1;
  return (
    <div className="space-y-4">
      <Fields
        rows={[
          ["Type", <span key="type" className="font-mono">{event.type}</span>],
          ["Event timestamp", <span key="timestamp"><Time value={event.timestampAt} /> ({event.timestamp})</span>],
          [
            "Dedup key",
            <span key="key" className="font-mono text-xs break-all">
              {event.type} · {event.timestamp} · {event.dataUid === "" ? "(no data.uid)" : event.dataUid}
            </span>,
          ],
          ["Payload version", event.payloadVersion],
          ["Deliveries", `${allDeliveries} (${event.duplicateCount} duplicate${event.duplicateCount === 1 ? "" : "s"})`],
          ["Processing", <ProcessingBadge key="state" status={event.status} />],
          ["Attempts", String(event.attempts)],
          ["Processed at", event.processedAt ? <Time key="processed" value={event.processedAt} /> : null],
          ["Next attempt", event.status === "failed" || event.status === "pending" ? <Time key="next" value={event.nextAttemptAt} /> : null],
          ["Last error", event.lastError ? <span className="font-mono text-xs text-red-700 dark:text-red-300">{event.lastError}</span> : null],
          ["Order", event.orderUid ? <span className="font-mono">{event.orderUid}</span> : null],
          ["Pharmacy order", event.pharmacyOrderUid ? <span className="font-mono">{event.pharmacyOrderUid}</span> : null],
          ["Shop order name", event.shopOrderName],
          ["Pharmacy", event.pharmacyUid ? <span className="font-mono">{event.pharmacyUid}</span> : null],
        ]}
      />
      {event.isKeyCollision ? <Alert tone="info">Another body has the same dedup key (RxScale&apos;s timestamp has one-second resolution), so this is kept as a distinct event.</Alert> : null}
      {!event.isKnownType ? <Alert tone="info">RxWatch does not know this event type: it is stored and acknowledged, but no handler projects it.</Alert> : null}
      <div className="flex flex-wrap items-center gap-2">
        {event.orderUid ? (
          <Link href={`/orders/${encodeURIComponent(event.orderUid)}`} className="rounded-md border border-slate-300 px-3 py-2 text-sm font-medium text-sky-800 hover:bg-slate-100 dark:border-slate-700 dark:text-sky-300 dark:hover:bg-slate-800">
            Open order trace
          </Link>
        ) : null}
        <Button variant="secondary" disabled={reprocess.isPending} onClick={() => reprocess.mutate(event.id)}>
          {reprocess.isPending ? "Queuing…" : "Re-process event"}
        </Button>
      </div>
      {reprocess.isError ? <Alert tone="error">{reprocess.error.message}</Alert> : null}
      {reprocess.isSuccess ? <Alert tone="success">Queued for processing (it was {reprocess.data.previousStatus}).</Alert> : null}

      <div>
        <h4 className="mb-2 text-sm font-medium">
          Deliveries of this event{allDeliveries > shownDeliveries ? ` (newest ${shownDeliveries} of ${allDeliveries})` : ""}
        </h4>
        <ul className="space-y-1 text-sm" aria-label="Deliveries of this event">
          {detail.eventDeliveries.map((delivery) => (
            <li key={delivery.id} className="flex flex-wrap items-center gap-2">
              <span className="font-mono text-xs"><Time value={delivery.receivedAt} /></span>
              <OutcomeBadge outcome={delivery.outcome} />
              <span className="text-xs text-slate-500">HTTP {delivery.httpStatus}</span>
              {delivery.id === detail.delivery.id ? (
                <span className="text-xs text-slate-500">(this one)</span>
              ) : (
                <button type="button" className="text-xs text-sky-700 underline dark:text-sky-300" onClick={() => onOpen(delivery.id)}>
                  open
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** Handler runs usually take milliseconds; formatDuration starts at seconds. */
function runTime(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.max(0, milliseconds)} ms` : formatDuration(milliseconds);
}

function Attempts({ attempts }: { attempts: DeliveryDetailDto["attempts"] }) {
  if (attempts.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">Not run yet.</p>;
  return (
    <ol className="space-y-2 text-sm" aria-label="Processing attempts">
      {attempts.map((attempt) => (
        <li key={`${attempt.startedAt}-${attempt.attempt}`} className="rounded border border-slate-200 px-3 py-2 dark:border-slate-800">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-medium">Attempt {attempt.attempt}</span>
            <Badge tone={attempt.outcome === "succeeded" ? "emerald" : attempt.outcome === "dead" ? "red" : "amber"}>{attempt.outcome}</Badge>
            <span className="font-mono text-xs"><Time value={attempt.startedAt} /></span>
            {attempt.finishedAt ? <span className="text-xs text-slate-500">took {runTime(Date.parse(attempt.finishedAt) - Date.parse(attempt.startedAt))}</span> : null}
            <span className="ml-auto truncate font-mono text-xs text-slate-500" title="Worker">
              {attempt.worker}
            </span>
          </div>
          {attempt.error ? <p className="mt-1 font-mono text-xs text-red-700 dark:text-red-300">{attempt.error}</p> : null}
        </li>
      ))}
    </ol>
  );
}

/**
 * Everything about one delivery, beside the list: what was received, whether
 * its signature held and why not, the event it became and its processing.
 */
export function DeliveryDrawer({ id, onClose, onOpen }: { id: string; onClose: () => void; onOpen: (id: string) => void }) {
  const detail = useDeliveryDetail(id);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeRef.current?.focus();
  }, [id]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // An open dialog (the reveal's reason) takes Escape for itself.
      if (event.key === "Escape" && !document.querySelector("dialog[open]")) onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const data = detail.data;
  return (
    <aside
      aria-labelledby="delivery-drawer-title"
      data-delivery-id={id}
      className="fixed inset-y-0 right-0 z-30 flex w-full max-w-2xl flex-col border-l border-slate-200 bg-white shadow-2xl dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-center gap-3 px-5 py-4">
        <h2 id="delivery-drawer-title" className="text-lg font-semibold">
          Delivery
        </h2>
        {data ? <OutcomeBadge outcome={data.delivery.outcome} /> : null}
        <button
          ref={closeRef}
          type="button"
          onClick={onClose}
          aria-label="Close delivery detail"
          className="ml-auto rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-200 dark:text-slate-200 dark:hover:bg-slate-800"
        >
          Close
        </button>
      </div>
      <div className="flex-1 overflow-y-auto">
        {detail.isPending ? (
          <div className="px-5 pb-4">
            <Skeleton label="the delivery" lines={6} />
          </div>
        ) : null}
        {detail.isError ? (
          <div className="px-5 pb-4">
            <Alert tone="error">{detail.error.message}</Alert>
          </div>
        ) : null}
        {data ? (
          <>
            <Section title="Received">
              <Fields
                rows={[
                  ["Time", <Time key="time" value={data.delivery.receivedAt} withMilliseconds />],
                  ["Answer", `HTTP ${data.delivery.httpStatus} ${data.delivery.outcome}`],
                  ["Reason", data.delivery.reasonCode ? <span className="font-mono text-xs">{data.delivery.reasonCode}</span> : null],
                  ["Flags", data.delivery.flags.length > 0 ? <span className="font-mono text-xs">{data.delivery.flags.join(", ")}</span> : null],
                  ["Acknowledged in", data.delivery.ackMs === null ? null : `${data.delivery.ackMs} ms`],
                  ["Source address", data.delivery.sourceAddress],
                  ["Body SHA-256", data.delivery.bodySha256 ? <span className="font-mono text-xs break-all">{data.delivery.bodySha256}</span> : null],
                  ["Delivery id", <span key="id" className="font-mono text-xs">{data.delivery.id}</span>],
                ]}
              />
            </Section>
            <Section title="Verification">
              <Verification verification={data.verification} />
            </Section>
            <Section title="Event">
              <EventSection detail={data} onOpen={onOpen} />
            </Section>
            {data.event ? (
              <Section title="Processing attempts">
                <Attempts attempts={data.attempts} />
              </Section>
            ) : null}
            <Section title="Headers">
              <Fields rows={data.headers.map((header): [string, ReactNode] => [header.name, <span key={header.name} className="font-mono text-xs break-all">{header.value}</span>])} />
            </Section>
            <Section title="Body">
              <BodyWithPersonalData deliveryId={data.delivery.id} body={data.body} personalData={data.personalData} />
            </Section>
          </>
        ) : null}
      </div>
    </aside>
  );
}
