"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { STAGES, STAGE_LABELS, friendlyStatusLabel, type Stage } from "@/lib/lifecycle";
import { formatDuration } from "@/lib/time";
import { Time, useFormatInstant } from "@/components/time";
import { ordersQuerySchema, ordersQueryToSearch, TIME_RANGES, type OrderSummaryDto, type OrdersQuery } from "@/lib/orders";
import type { StatusAppearanceSettings } from "@/lib/settings";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { LiveIndicator } from "@/components/live-indicator";
import { useIsNarrowScreen } from "@/components/use-is-narrow-screen";
import { StageLegend, StageProgress } from "@/components/orders/stage-progress";
import { useOrderFilterValues } from "@/components/queries/filter-values";
import type { SeenValue } from "@/lib/filter-values";
import { StatusBadge } from "@/components/orders/status-badge";
import { useOrders } from "@/components/queries/orders";
import { CheckboxField, SelectField, TextField } from "@/components/ui/field";

const ROW_HEIGHT = 56;
/** On a phone each order is a card: name, status, pharmacy and age on three short lines. */
const CARD_HEIGHT = 96;
const COLUMNS = "grid grid-cols-[minmax(9rem,1.3fr)_minmax(11rem,1.2fr)_minmax(8rem,1fr)_minmax(8rem,1fr)_5rem_9rem]";

function Row({ order, appearance, now }: { order: OrderSummaryDto; appearance: StatusAppearanceSettings; now: number }) {
  const formatInstant = useFormatInstant();
  return (
    <div role="row" data-order-uid={order.orderUid} className={`${COLUMNS} items-center gap-3 border-t border-slate-200 px-3 text-sm dark:border-slate-800`} style={{ height: ROW_HEIGHT }}>
      <div role="cell" className="min-w-0">
        <Link href={`/orders/${encodeURIComponent(order.orderUid)}`} className="block truncate font-medium text-sky-800 hover:underline dark:text-sky-300">
          {order.shopOrderName ?? order.orderUid}
        </Link>
        <span className="block truncate font-mono text-xs text-slate-500">{order.orderUid}</span>
      </div>
      <div role="cell">
        <StageProgress stage={order.stage} reachedStage={order.reachedStage} gaps={order.gaps} compact />
      </div>
      <div role="cell" className="flex flex-wrap items-center gap-1">
        <StatusBadge status={order.status} appearance={appearance} />
        {order.isStuck ? (
          <span className="rounded bg-red-600 px-1.5 py-0.5 text-xs font-semibold text-white" title={order.expectedNext ? `Waiting for: ${order.expectedNext}` : undefined}>
            Stuck
          </span>
        ) : null}
      </div>
      <div role="cell" className="truncate">
        {order.pharmacyName ?? <span className="text-slate-400">—</span>}
      </div>
      <div role="cell" title={formatInstant(order.firstEventAt)}>
        {formatDuration(now - Date.parse(order.firstEventAt))}
      </div>
      <div role="cell" className="text-slate-600 dark:text-slate-400">
        <Time value={order.lastEventAt} relativeTo={now} />
      </div>
    </div>
  );
}

function Card({ order, appearance, now }: { order: OrderSummaryDto; appearance: StatusAppearanceSettings; now: number }) {
  const formatInstant = useFormatInstant();
  return (
    <div role="row" data-order-uid={order.orderUid} className="flex flex-col justify-center gap-1 border-t border-slate-200 px-3 text-sm dark:border-slate-800" style={{ height: CARD_HEIGHT }}>
      <div role="cell" className="flex min-w-0 items-baseline justify-between gap-2">
        <Link href={`/orders/${encodeURIComponent(order.orderUid)}`} className="truncate font-medium text-sky-800 hover:underline dark:text-sky-300">
          {order.shopOrderName ?? order.orderUid}
        </Link>
        <span className="shrink-0 text-xs text-slate-600 dark:text-slate-400" title={formatInstant(order.firstEventAt)}>
          <span className="sr-only">Age </span>
          {formatDuration(now - Date.parse(order.firstEventAt))}
        </span>
      </div>
      <div role="cell" className="flex min-w-0 flex-wrap items-center gap-1">
        <StatusBadge status={order.status} appearance={appearance} />
        {order.isStuck ? <span className="rounded bg-red-600 px-1.5 py-0.5 text-xs font-semibold text-white">Stuck</span> : null}
      </div>
      <div role="cell" className="truncate text-xs text-slate-600 dark:text-slate-400">
        {order.pharmacyName ?? "No pharmacy yet"} · <Time value={order.lastEventAt} relativeTo={now} />
      </div>
    </div>
  );
}

/** The values seen, plus the one in the URL when it is not among them (a shared link, a value since gone). */
function withCurrent(seen: readonly SeenValue[] | undefined, current: string | undefined): SeenValue[] {
  const list = [...(seen ?? [])];
  if (current && !list.some((entry) => entry.value === current)) list.unshift({ value: current, count: 0 });
  return list;
}

/** The orders list: filters and search in the URL, counts per stage, cursor pages, live updates, virtualised rows. */
export function OrdersView({ appearance }: { appearance: StatusAppearanceSettings }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const query = useMemo(() => ordersQuerySchema.parse(Object.fromEntries(searchParams.entries())), [searchParams]);
  const orders = useOrders(query);
  const filterValues = useOrderFilterValues();
  const [cursors, setCursors] = useState<string[]>([]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const isNarrow = useIsNarrowScreen();
  const rows = orders.data?.orders ?? [];
  // Rows are virtualised: only the visible ones are in the DOM, so long pages stay fast.
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns functions the React compiler cannot memoise; this component is not compiled.
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => (isNarrow ? CARD_HEIGHT : ROW_HEIGHT), overscan: 10 });
  useEffect(() => virtualizer.measure(), [virtualizer, isNarrow]);
  const now = orders.dataUpdatedAt || Date.parse("2000-01-01T00:00:00Z");

  function navigate(change: Partial<OrdersQuery>, keepCursor = false) {
    const next = { ...query, ...change };
    if (!keepCursor) {
      delete next.cursor;
      setCursors([]);
    }
    const search = ordersQueryToSearch(next);
    router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
  }

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get("q");
    navigate({ q: typeof value === "string" && value.trim() ? value.trim() : undefined });
  }

  const counts = orders.data?.stageCounts ?? {};
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Orders per stage">
        <button
          type="button"
          onClick={() => navigate({ stage: undefined })}
          aria-pressed={!query.stage}
          className={`rounded-full border px-3 py-1 text-sm ${!query.stage ? "border-slate-900 bg-slate-900 text-white dark:border-slate-100 dark:bg-slate-100 dark:text-slate-900" : "border-slate-300 dark:border-slate-700"}`}
        >
          All <span className="tabular-nums">{total}</span>
        </button>
        {STAGES.filter((stage) => (counts[stage] ?? 0) > 0 || stage === query.stage).map((stage: Stage) => (
          <button
            key={stage}
            type="button"
            onClick={() => navigate({ stage })}
            aria-pressed={query.stage === stage}
            className={`rounded-full border px-3 py-1 text-sm ${query.stage === stage ? "border-slate-900 bg-slate-900 text-white dark:border-slate-100 dark:bg-slate-100 dark:text-slate-900" : "border-slate-300 dark:border-slate-700"}`}
          >
            {STAGE_LABELS[stage]} <span className="tabular-nums">{counts[stage] ?? 0}</span>
          </button>
        ))}
        <span className="ml-auto">
          <LiveIndicator />
        </span>
      </div>

      <div className="flex flex-wrap items-end gap-3">
        <form onSubmit={onSearch} className="flex w-full items-end gap-2 sm:w-auto" role="search">
          <TextField key={query.q ?? ""} label="Search orders" fieldClassName="min-w-0 flex-1 text-sm font-medium" name="q" defaultValue={query.q ?? ""} placeholder="Order uid, pharmacy order, #name, patient uid" className="w-full sm:w-80" />
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
        <SelectField label="Time range" fieldClassName="text-sm font-medium" value={query.range} onChange={(event) => navigate({ range: ordersQuerySchema.shape.range.parse(event.target.value) })} className="">
          {TIME_RANGES.map((range) => (
            <option key={range} value={range}>
              {range === "all" ? "Any time" : `Last ${range}`}
            </option>
          ))}
        </SelectField>
        <CheckboxField
          fieldClassName="flex items-center gap-2 pb-2 text-sm font-medium"
          checked={query.stuck}
          onChange={(event) => navigate({ stuck: event.target.checked })}
          label={
            <>
              Stuck only <span className="tabular-nums text-slate-500">({orders.data?.stuckCount ?? 0})</span>
            </>
          }
        />
        <SelectField label="Status" fieldClassName="text-sm font-medium" value={query.status ?? ""} onChange={(event) => navigate({ status: event.target.value || undefined })} className="max-w-full">
          <option value="">Any status</option>
          {withCurrent(filterValues.data?.statuses, query.status).map((seen) => (
            <option key={seen.value} value={seen.value}>
              {friendlyStatusLabel(seen.value) ?? seen.value}
              {friendlyStatusLabel(seen.value) ? ` (${seen.value})` : ""} · {seen.count}
            </option>
          ))}
        </SelectField>
        <SelectField label="Pharmacy" fieldClassName="text-sm font-medium" value={query.pharmacy ?? ""} onChange={(event) => navigate({ pharmacy: event.target.value || undefined })} className="max-w-full">
          <option value="">Any pharmacy</option>
          {withCurrent(filterValues.data?.pharmacies, query.pharmacy).map((seen) => (
            <option key={seen.value} value={seen.value}>
              {seen.value} · {seen.count}
            </option>
          ))}
        </SelectField>
        {query.status || query.pharmacy ? (
          <Button variant="ghost" onClick={() => navigate({ status: undefined, pharmacy: undefined })}>
            Clear status/pharmacy filter
          </Button>
        ) : null}
      </div>

      {orders.isError ? <Alert tone="error">{orders.error.message}</Alert> : null}
      <StageLegend />

      {orders.data && rows.length === 0 ? (
        total === 0 && !query.q && !query.stuck && query.range === "all" ? (
          <EmptyState title="No orders yet">
            <p>Orders appear here as soon as RxScale sends webhooks to this RxWatch: created, prescription approved and signed, sent to a pharmacy, shipped, completed.</p>
            <p>An admin connects RxScale under Settings, or starts RxWatch in demo mode to see realistic traffic.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No orders match">
            <p>Change or clear the filters above.</p>
          </EmptyState>
        )
      ) : null}

      {rows.length > 0 ? (
        <div role="table" aria-label="Orders" aria-rowcount={rows.length} className="overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div role="rowgroup">
            <div role="row" className={`${isNarrow ? "sr-only" : COLUMNS} gap-3 bg-slate-50 px-3 py-2 text-xs font-semibold uppercase text-slate-500 dark:bg-slate-950`}>
              <div role="columnheader">Order</div>
              <div role="columnheader">Progress</div>
              <div role="columnheader">Status</div>
              <div role="columnheader">Pharmacy</div>
              <div role="columnheader">Age</div>
              <div role="columnheader">Last event</div>
            </div>
          </div>
          <div ref={scrollRef} role="rowgroup" className="max-h-[70vh] overflow-y-auto">
            <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
              {virtualizer.getVirtualItems().map((item) => {
                const order = rows[item.index];
                if (!order) return null;
                return (
                  <div key={order.orderUid} style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}>
                    {isNarrow ? <Card order={order} appearance={appearance} now={now} /> : <Row order={order} appearance={appearance} now={now} />}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      ) : null}

      <div className="flex items-center gap-2">
        {cursors.length > 0 ? (
          <Button
            variant="secondary"
            onClick={() => {
              const previous = cursors.slice(0, -1);
              setCursors(previous);
              navigate({ cursor: previous.at(-1) }, true);
            }}
          >
            Previous page
          </Button>
        ) : null}
        {orders.data?.nextCursor ? (
          <Button
            variant="secondary"
            onClick={() => {
              const next = orders.data?.nextCursor ?? undefined;
              if (!next) return;
              setCursors([...cursors, next]);
              navigate({ cursor: next }, true);
            }}
          >
            Next page
          </Button>
        ) : null}
      </div>
    </div>
  );
}
