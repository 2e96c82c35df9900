"use client";

import type { CatalogueEventType } from "@/lib/drift";
import { Time } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { useEventCatalogue } from "@/components/queries/event-catalogue";

/** One event type: a summary always in view, fields and statuses folded so a phone sees every type at once. */
function EventTypeCard({ type }: { type: CatalogueEventType }) {
  return (
    <article aria-label={type.eventType} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h2 className="flex flex-wrap items-center gap-2 font-semibold">
        <code className="break-all">{type.eventType}</code>
        {type.isLearning ? <span className="rounded bg-slate-200 px-1.5 py-0.5 text-xs font-medium dark:bg-slate-700">learning</span> : null}
      </h2>
      <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-slate-500">Last 24 h</dt>
          <dd className="tabular-nums" data-testid="volume-24h">{type.volume24h}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Last 7 days</dt>
          <dd className="tabular-nums">{type.volume7d}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Payload versions</dt>
          <dd>{type.payloadVersions.join(", ")}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Last seen</dt>
          <dd>
            <Time value={type.lastSeenAt} />
          </dd>
        </div>
      </dl>
      <details className="mt-3">
        <summary className="cursor-pointer text-sm font-medium">
          {type.fields.length} {type.fields.length === 1 ? "field" : "fields"}
        </summary>
        <Table label={`Fields of ${type.eventType}`} variant="compact" className="mt-2">
          <TableHead>
            <TableHeaderCell>Path</TableHeaderCell>
            <TableHeaderCell>Types</TableHeaderCell>
            <TableHeaderCell className="text-right">Seen in</TableHeaderCell>
          </TableHead>
          <TableBody>
            {type.fields.map((field) => (
              <TableRow key={field.path}>
                <TableCell className="font-mono text-xs break-all">{field.path}</TableCell>
                <TableCell className="text-xs whitespace-nowrap">{field.types.join(" | ")}</TableCell>
                <TableCell className="text-right text-xs tabular-nums whitespace-nowrap">{field.seenPercent}%</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </details>
      <details className="mt-2">
        <summary className="cursor-pointer text-sm font-medium">
          {type.statuses.length} {type.statuses.length === 1 ? "status" : "statuses"}
        </summary>
        <ul className="mt-2 flex flex-wrap gap-2 text-xs">
          {type.statuses.map((status) => (
            <li key={status.status} className="rounded border border-slate-200 px-2 py-0.5 dark:border-slate-700">
              <code>{status.status}</code> <span className="tabular-nums text-slate-500">{status.count}</span>
              {status.isDocumented ? null : <span className="ml-1 font-medium text-amber-700 dark:text-amber-300">undocumented</span>}
            </li>
          ))}
        </ul>
      </details>
    </article>
  );
}

export function EventCatalogueView() {
  const catalogue = useEventCatalogue();
  if (catalogue.isError) return <Alert tone="error">{catalogue.error.message}</Alert>;
  if (!catalogue.data) return <p className="text-sm text-slate-500">Loading…</p>;
  if (catalogue.data.eventTypes.length === 0) {
    return (
      <EmptyState title="No event received yet">
        <p>Each event type appears here once its first delivery has been processed. Counts are brought up to date about once a minute.</p>
      </EmptyState>
    );
  }
  return (
    <div className="space-y-4">
      {catalogue.data.eventTypes.map((type) => (
        <EventTypeCard key={type.eventType} type={type} />
      ))}
    </div>
  );
}
