"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  DELIVERY_RANGES,
  EXPORT_MAX_ROWS,
  deliveriesQueryToSearch,
  deliveryFiltersSchema,
  type DeliveryFilters,
  type DeliveryRange,
  type DeliveryRowDto,
} from "@/lib/deliveries";
import { Time } from "@/components/time";
import { EVENT_STATUSES } from "@/lib/processing";
import { DELIVERY_OUTCOMES } from "@/lib/rxscale/deliveries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { LiveIndicator } from "@/components/live-indicator";
import { useIsNarrowScreen } from "@/components/use-is-narrow-screen";
import { LIVE_MAX_PAGES, NEW_WHILE_PAUSED_LIMIT, useDeliveries, useJumpToNewest, useNewDeliveriesCount } from "@/components/queries/deliveries";
import { useDeliveryFilterValues } from "@/components/queries/filter-values";
import { OutcomeBadge, ProcessingBadge } from "./badges";
import { UnmaskedExport } from "./unmasked-export";
import { DeliveryDrawer } from "./delivery-drawer";
import { SelectField, TextField } from "@/components/ui/field";

const ROW_HEIGHT = 52;
/** On a phone each delivery is a card: outcome and processing, age, event type, order and pharmacy order. */
const CARD_HEIGHT = 96;
const COLUMNS = "grid grid-cols-[10.5rem_minmax(10rem,1.1fr)_minmax(11rem,1.4fr)_7.5rem_minmax(9rem,1fr)_9rem]";
/** URL parameter of the delivery open in the drawer (the order trace links here with it). */
const DETAIL_PARAM = "delivery";
/** Older pages load when the last rendered row is this close to the end of what is loaded. */
const LOAD_AHEAD_ROWS = 20;

const RANGE_LABELS: Record<DeliveryRange, string> = {
  "15m": "Last 15 minutes",
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  custom: "Custom range",
  all: "Any time",
};

function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value (the viewer's zone, minute precision) as an instant; `endOfMinute` makes a "to" bound include that whole minute. */
function fromLocalInput(value: FormDataEntryValue | null, endOfMinute: boolean): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const time = new Date(value).getTime();
  if (Number.isNaN(time)) return undefined;
  return new Date(endOfMinute ? time + 59_999 : time).toISOString();
}

function textOf(value: FormDataEntryValue | null): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

function Row({ row, href, isSelected, onOpen }: { row: DeliveryRowDto; href: string; isSelected: boolean; onOpen: (id: string) => void }) {
  const reason = [row.reasonCode, ...row.flags.filter((flag) => flag !== row.reasonCode)].filter((word): word is string => word !== null);
  return (
    <div
      role="row"
      data-delivery-id={row.id}
      data-outcome={row.outcome}
      data-selected={isSelected}
      onClick={() => onOpen(row.id)}
      className={`${COLUMNS} cursor-pointer items-center gap-3 border-t border-slate-200 px-3 text-sm dark:border-slate-800 ${isSelected ? "bg-sky-50 dark:bg-sky-950" : "hover:bg-slate-50 dark:hover:bg-slate-800/50"}`}
      style={{ height: ROW_HEIGHT }}
    >
      <div role="cell">
        <Link href={href} scroll={false} data-opens-delivery onClick={(event) => event.stopPropagation()} className="font-mono text-xs text-sky-800 hover:underline dark:text-sky-300">
          <Time value={row.receivedAt} withMilliseconds />
        </Link>
      </div>
      <div role="cell" className="min-w-0 truncate font-mono text-xs">
        {row.event ? (
          row.event.type
        ) : row.eventTypeHeader ? (
          <span className="text-slate-500" title="Sent in X-Webhook-Event with a request that was refused: not verified">
            {row.eventTypeHeader} (header)
          </span>
        ) : (
          <span className="text-slate-400">—</span>
        )}
      </div>
      <div role="cell" className="min-w-0 font-mono text-xs">
        <span className="block truncate" title="Order uid">
          {row.event?.orderUid ? (
            <Link href={`/orders/${encodeURIComponent(row.event.orderUid)}`} onClick={(event) => event.stopPropagation()} className="text-sky-700 underline dark:text-sky-300">
              {row.event.orderUid}
            </Link>
          ) : (
            <span className="text-slate-400">—</span>
          )}
        </span>
        {row.event?.pharmacyOrderUid ? (
          <span className="block truncate text-slate-500" title="Pharmacy order uid">
            {row.event.pharmacyOrderUid}
          </span>
        ) : null}
      </div>
      <div role="cell" className="flex items-center gap-1.5">
        <OutcomeBadge outcome={row.outcome} />
        <span className="text-xs text-slate-500">{row.httpStatus}</span>
      </div>
      <div role="cell" className="min-w-0 truncate font-mono text-xs" title={reason.join(", ")}>
        {reason.length > 0 ? reason.join(", ") : <span className="text-slate-400">—</span>}
      </div>
      <div role="cell" className="flex items-center gap-1.5">
        {row.event ? (
          <>
            <ProcessingBadge status={row.event.status} />
            <span className="text-xs text-slate-500" title="Processing attempts">
              {row.event.attempts} {row.event.attempts === 1 ? "attempt" : "attempts"}
            </span>
          </>
        ) : (
          <span className="text-slate-400">—</span>
        )}
      </div>
    </div>
  );
}

function Card({ row, href, isSelected, onOpen, now }: { row: DeliveryRowDto; href: string; isSelected: boolean; onOpen: (id: string) => void; now: number }) {
  return (
    <div
      role="row"
      data-delivery-id={row.id}
      data-outcome={row.outcome}
      data-selected={isSelected}
      onClick={() => onOpen(row.id)}
      className={`flex cursor-pointer flex-col justify-center gap-1 border-t border-slate-200 px-3 text-sm dark:border-slate-800 ${isSelected ? "bg-sky-50 dark:bg-sky-950" : ""}`}
      style={{ height: CARD_HEIGHT }}
    >
      <div role="cell" className="flex min-w-0 items-center gap-1.5">
        <OutcomeBadge outcome={row.outcome} />
        {row.event ? <ProcessingBadge status={row.event.status} /> : null}
        <Link href={href} scroll={false} data-opens-delivery onClick={(event) => event.stopPropagation()} className="ml-auto shrink-0 text-xs text-sky-800 hover:underline dark:text-sky-300">
          <Time value={row.receivedAt} relativeTo={now} />
        </Link>
      </div>
      <div role="cell" className="truncate font-mono text-xs">
        {row.event?.type ?? (row.eventTypeHeader ? `${row.eventTypeHeader} (header)` : "no event")}
      </div>
      <div role="cell" className="truncate font-mono text-xs text-slate-600 dark:text-slate-400">
        {row.event?.orderUid ?? "—"}
        {row.event?.pharmacyOrderUid ? <> · pharmacy order {row.event.pharmacyOrderUid}</> : null}
      </div>
    </div>
  );
}

/**
 * The deliveries page: every delivery newest first, tailing live (pause freezes it
 * and counts what arrives), filters and search in the URL, older keyset pages
 * loaded as the list scrolls, virtualised rows, a detail drawer per delivery.
 */
export function DeliveriesView({ eventTypes, canExportUnmasked }: { eventTypes: readonly string[]; canExportUnmasked: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => deliveryFiltersSchema.parse(Object.fromEntries(searchParams.entries())), [searchParams]);
  const filterValues = useDeliveryFilterValues();
  // Types seen, busiest first; then the ones this instance knows but has not received yet (and the one in the URL).
  const seenEventTypes = useMemo(() => {
    const seen = filterValues.data?.eventTypes ?? [];
    const names = new Set(seen.map((entry) => entry.value));
    const rest = [...eventTypes, ...(filters.type ? [filters.type] : [])].filter((type) => !names.has(type));
    return [...seen, ...[...new Set(rest)].map((value) => ({ value, count: 0 }))];
  }, [filterValues.data, eventTypes, filters.type]);
  const selectedId = searchParams.get(DETAIL_PARAM);
  const [isPaused, setIsPaused] = useState(false);
  const deliveries = useDeliveries(filters, isPaused);
  const rows = useMemo(() => {
    // Keyset pages never overlap; this only guards the virtualiser's keys.
    const byId = new Map<string, DeliveryRowDto>();
    for (const row of (deliveries.data?.pages ?? []).flatMap((page) => page.deliveries)) if (!byId.has(row.id)) byId.set(row.id, row);
    return [...byId.values()];
  }, [deliveries.data]);
  const newestCursor = deliveries.data?.pages[0]?.newestCursor ?? null;
  // Far back in the list the view holds still like a pause (see LIVE_MAX_PAGES); "Jump to newest" goes back to tailing.
  const isBrowsingBack = (deliveries.data?.pages.length ?? 0) > LIVE_MAX_PAGES;
  const isHeld = isPaused || isBrowsingBack;
  const newWhilePaused = useNewDeliveriesCount(filters, newestCursor, isHeld);
  const jumpToNewest = useJumpToNewest(filters);
  const filterSearch = deliveriesQueryToSearch(filters);
  const scrollRef = useRef<HTMLDivElement>(null);
  const isNarrow = useIsNarrowScreen();
  const now = deliveries.dataUpdatedAt || Date.parse("2000-01-01T00:00:00Z");
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns functions the React compiler cannot memoise; this component is not compiled.
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (isNarrow ? CARD_HEIGHT : ROW_HEIGHT),
    overscan: 10,
    getItemKey: (index) => rows[index]?.id ?? index,
  });
  useEffect(() => virtualizer.measure(), [virtualizer, isNarrow]);
  const lastRenderedIndex = virtualizer.getVirtualItems().at(-1)?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = deliveries;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastRenderedIndex >= rows.length - LOAD_AHEAD_ROWS) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastRenderedIndex, rows.length]);

  const urlWith = useCallback(
    (search: string, deliveryId: string | null) => {
      const params = new URLSearchParams(search);
      if (deliveryId) params.set(DETAIL_PARAM, deliveryId);
      const text = params.toString();
      return text ? `${pathname}?${text}` : pathname;
    },
    [pathname],
  );

  const openDelivery = useCallback((id: string | null) => router.replace(urlWith(filterSearch, id), { scroll: false }), [router, urlWith, filterSearch]);
  const closeDelivery = useCallback(() => {
    openDelivery(null);
    // Back to the row the drawer was opened from, so keyboard users keep their place in the list.
    if (selectedId) requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-delivery-id="${CSS.escape(selectedId)}"] a[data-opens-delivery]`)?.focus());
  }, [openDelivery, selectedId]);

  function navigate(change: Partial<DeliveryFilters>) {
    router.replace(urlWith(deliveriesQueryToSearch({ ...filters, ...change }), selectedId), { scroll: false });
  }

  function onApply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate({
      q: textOf(form.get("q")),
      type: textOf(form.get("type")),
      order: textOf(form.get("order")),
      ...(filters.range === "custom" ? { from: fromLocalInput(form.get("from"), false), to: fromLocalInput(form.get("to"), true) } : {}),
    });
  }

  function resume() {
    if (isBrowsingBack) {
      jumpToNewest();
      scrollRef.current?.scrollTo({ top: 0 });
    }
    setIsPaused(false);
  }

  const isFiltered = filterSearch !== "";
  const newCount = newWhilePaused.data ?? 0;

  return (
    <div className="space-y-4">
      <form key={filterSearch} onSubmit={onApply} role="search" aria-label="Filter deliveries" className="flex flex-wrap items-end gap-3">
        <TextField label="Search deliveries" fieldClassName="w-full text-sm font-medium sm:w-auto" name="q" defaultValue={filters.q ?? ""} placeholder="Order uid, pharmacy order, #name, patient uid, pharmacy uid" className="w-full sm:w-96" />
        <SelectField label="Event type" fieldClassName="text-sm font-medium" name="type" defaultValue={filters.type ?? ""} onChange={(event) => navigate({ type: event.target.value || undefined })} className="max-w-full">
          <option value="">Any type</option>
          {seenEventTypes.map((seen) => (
            <option key={seen.value} value={seen.value}>
              {seen.value} · {seen.count}
            </option>
          ))}
        </SelectField>
        <TextField label="Order uid" fieldClassName="text-sm font-medium" name="order" defaultValue={filters.order ?? ""} placeholder="Exact order uid" className="w-48" />
        {filters.range === "custom" ? (
          <>
            <TextField label="From" fieldClassName="text-sm font-medium" type="datetime-local" name="from" defaultValue={toLocalInput(filters.from)} className="" />
            <TextField label="To" fieldClassName="text-sm font-medium" type="datetime-local" name="to" defaultValue={toLocalInput(filters.to)} className="" />
          </>
        ) : null}
        <Button type="submit" variant="secondary">
          Apply
        </Button>
      </form>

      <div className="flex flex-wrap items-end gap-3">
        <SelectField label="Outcome" fieldClassName="text-sm font-medium" value={filters.outcome ?? ""} onChange={(event) => navigate({ outcome: deliveryFiltersSchema.shape.outcome.parse(event.target.value || undefined) })} className="">
          <option value="">Any outcome</option>
          {DELIVERY_OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome}
            </option>
          ))}
        </SelectField>
        <SelectField label="Processing state" fieldClassName="text-sm font-medium" value={filters.state ?? ""} onChange={(event) => navigate({ state: deliveryFiltersSchema.shape.state.parse(event.target.value || undefined) })} className="">
          <option value="">Any state</option>
          {EVENT_STATUSES.map((state) => (
            <option key={state} value={state}>
              {state}
            </option>
          ))}
        </SelectField>
        <SelectField label="Time range" fieldClassName="text-sm font-medium" value={filters.range} onChange={(event) => navigate({ range: deliveryFiltersSchema.shape.range.parse(event.target.value) })} className="">
          {DELIVERY_RANGES.map((range) => (
            <option key={range} value={range}>
              {RANGE_LABELS[range]}
            </option>
          ))}
        </SelectField>
        {isFiltered ? (
          <Button variant="ghost" onClick={() => router.replace(urlWith("", selectedId), { scroll: false })}>
            Clear filters
          </Button>
        ) : null}
        <span className="ml-auto flex flex-wrap items-center gap-2">
          <a
            href={`/api/deliveries/export?${deliveriesQueryToSearch({ ...filters, format: "csv" })}`}
            download
            className="rounded-md border border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
            title={`This view as CSV, up to ${EXPORT_MAX_ROWS.toLocaleString("en-US")} rows, without bodies`}
          >
            Export CSV
          </a>
          <a
            href={`/api/deliveries/export?${deliveriesQueryToSearch({ ...filters, format: "ndjson" })}`}
            download
            className="rounded-md border border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
            title={`This view as NDJSON, up to ${EXPORT_MAX_ROWS.toLocaleString("en-US")} rows, without bodies`}
          >
            Export NDJSON
          </a>
          <a
            href={`/api/deliveries/export?${deliveriesQueryToSearch({ ...filters, format: "ndjson", bodies: true })}`}
            download
            className="rounded-md border border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
            title={`This view as NDJSON with each body, personal data masked, up to ${EXPORT_MAX_ROWS.toLocaleString("en-US")} rows`}
          >
            Export with masked bodies
          </a>
          {canExportUnmasked ? <UnmaskedExport filters={Object.fromEntries(new URLSearchParams(filterSearch))} /> : null}
        </span>
      </div>

      <div className="flex flex-wrap items-center gap-3 text-sm">
        <LiveIndicator />
        <Button variant="secondary" aria-pressed={isPaused} onClick={() => setIsPaused(!isPaused)}>
          {isPaused ? "Resume" : "Pause"}
        </Button>
        {isHeld ? (
          <button
            type="button"
            onClick={resume}
            data-testid="new-while-paused"
            className="rounded-full bg-sky-700 px-2.5 py-1 text-xs font-medium text-white hover:bg-sky-800"
            title="Show them"
          >
            {newCount >= NEW_WHILE_PAUSED_LIMIT ? `${NEW_WHILE_PAUSED_LIMIT}+` : newCount} new
          </button>
        ) : null}
        {isBrowsingBack ? (
          <Button variant="ghost" onClick={resume}>
            Jump to newest
          </Button>
        ) : null}
        <span className="text-slate-600 dark:text-slate-400">
          {isPaused
            ? "Paused: the list stays as it is while new deliveries are counted."
            : isBrowsingBack
              ? "Holding still while you browse older deliveries."
              : "New deliveries appear at the top as they arrive."}
        </span>
        <span className="ml-auto tabular-nums text-slate-500">
          {rows.length.toLocaleString("en-US")} shown{hasNextPage ? ", older ones load as you scroll" : ""}
        </span>
      </div>

      {deliveries.isError ? <Alert tone="error">{deliveries.error.message}</Alert> : null}

      {deliveries.data && rows.length === 0 ? (
        isFiltered ? (
          <EmptyState title="No deliveries match">
            <p>Change or clear the filters above. Event type, processing state and search apply to events, so they never match rejected deliveries.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No deliveries received yet">
            <p>
              RxScale delivers to <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">/api/webhooks/rxscale</code> on this server. Each request will be listed here with
              its verification result and what RxWatch did with it.
            </p>
          </EmptyState>
        )
      ) : null}

      {rows.length > 0 ? (
        <div role="table" aria-label="Deliveries" aria-rowcount={rows.length} className="overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div role="rowgroup">
            <div role="row" className={`${isNarrow ? "sr-only" : COLUMNS} gap-3 bg-slate-50 px-3 py-2 text-xs font-semibold uppercase text-slate-500 dark:bg-slate-950`}>
              <div role="columnheader">Received</div>
              <div role="columnheader">Event type</div>
              <div role="columnheader">Order · pharmacy order</div>
              <div role="columnheader">Outcome</div>
              <div role="columnheader">Reason / flags</div>
              <div role="columnheader">Processing</div>
            </div>
          </div>
          <div ref={scrollRef} role="rowgroup" className="max-h-[70vh] overflow-y-auto">
            <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
              {virtualizer.getVirtualItems().map((item) => {
                const row = rows[item.index];
                if (!row) return null;
                return (
                  <div key={row.id} style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}>
                    {isNarrow ? (
                      <Card row={row} href={urlWith(filterSearch, row.id)} isSelected={row.id === selectedId} onOpen={openDelivery} now={now} />
                    ) : (
                      <Row row={row} href={urlWith(filterSearch, row.id)} isSelected={row.id === selectedId} onOpen={openDelivery} />
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      ) : null}

      {hasNextPage ? (
        <Button variant="secondary" disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
          {isFetchingNextPage ? "Loading older deliveries…" : "Load older deliveries"}
        </Button>
      ) : null}

      {selectedId ? <DeliveryDrawer id={selectedId} onClose={closeDelivery} onOpen={openDelivery} /> : null}
    </div>
  );
}
