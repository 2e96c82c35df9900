"use client";

import { useMemo, type ReactNode } from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { FunnelChart, OrdersPerDayChart, ScorecardChart, StageTimesChart, StuckChart } from "@/components/charts/insights-charts";
import { LiveIndicator } from "@/components/live-indicator";
import { useInsights } from "@/components/queries/insights";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { SelectField } from "@/components/ui/field";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { INSIGHTS_RANGE_DAYS, INSIGHTS_RANGES, insightsQuerySchema, insightsQueryToSearch, type InsightsDto, type InsightsQuery } from "@/lib/insights";
import { STAGE_LABELS } from "@/lib/lifecycle";
import { formatDuration } from "@/lib/time";

const duration = (seconds: number | null) => (seconds === null ? "—" : formatDuration(seconds * 1000));
const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;

/** One chart with its numbers as a table beside it (below it on narrow screens). */
function Section({ title, description, chart, children }: { title: string; description: string; chart: ReactNode; children: ReactNode }) {
  const id = `insights-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h2 id={id} className="text-base font-semibold">
        {title}
      </h2>
      <p className="mb-3 mt-1 text-sm text-slate-600 dark:text-slate-400">{description}</p>
      <div className="grid min-w-0 gap-4 xl:grid-cols-2">
        <div className="min-w-0">{chart}</div>
        <div className="max-h-72 min-w-0 overflow-y-auto">{children}</div>
      </div>
    </section>
  );
}

function OrdersPerDayTable({ days }: { days: InsightsDto["ordersPerDay"] }) {
  return (
    <Table label="Orders per day by outcome" variant="compact">
      <TableHead>
        <TableHeaderCell>Day (UTC)</TableHeaderCell>
        <TableHeaderCell className="text-right">Completed</TableHeaderCell>
        <TableHeaderCell className="text-right">Cancelled</TableHeaderCell>
        <TableHeaderCell className="text-right">Open</TableHeaderCell>
      </TableHead>
      <TableBody>
        {[...days].reverse().map((day) => (
          <TableRow key={day.day}>
            <TableCell className="whitespace-nowrap tabular-nums">{day.day}</TableCell>
            <TableCell className="text-right tabular-nums">{day.completed}</TableCell>
            <TableCell className="text-right tabular-nums">{day.cancelled}</TableCell>
            <TableCell className="text-right tabular-nums">{day.open}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function StageTimesTable({ stageTimes }: { stageTimes: InsightsDto["stageTimes"] }) {
  const rows = [{ pharmacy: "All pharmacies", stages: stageTimes.overall }, ...stageTimes.byPharmacy];
  return (
    <Table label="Time spent in each stage" variant="compact">
      <TableHead>
        <TableHeaderCell>Pharmacy</TableHeaderCell>
        {stageTimes.overall.map((row) => (
          <TableHeaderCell key={row.stage} className="text-right">
            {STAGE_LABELS[row.stage]}
          </TableHeaderCell>
        ))}
      </TableHead>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.pharmacy}>
            <TableCell className="whitespace-nowrap font-medium">{row.pharmacy}</TableCell>
            {row.stages.map((stage) => (
              <TableCell key={stage.stage} className="whitespace-nowrap text-right tabular-nums" title={`${stage.orders} orders`}>
                {duration(stage.medianSeconds)} <span className="text-slate-500">/ {duration(stage.p90Seconds)}</span>
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function ScorecardTable({ cards }: { cards: InsightsDto["scorecards"] }) {
  return (
    <Table label="Pharmacy scorecards" variant="compact">
      <TableHead>
        <TableHeaderCell>Pharmacy</TableHeaderCell>
        <TableHeaderCell className="text-right">Orders</TableHeaderCell>
        <TableHeaderCell className="text-right">Time to ship (median / p90)</TableHeaderCell>
        <TableHeaderCell className="text-right">Cancelled</TableHeaderCell>
        <TableHeaderCell className="text-right">Out of stock</TableHeaderCell>
      </TableHead>
      <TableBody>
        {cards.map((card) => (
          <TableRow key={card.pharmacy}>
            <TableCell className="whitespace-nowrap font-medium">{card.pharmacy}</TableCell>
            <TableCell className="text-right tabular-nums">{card.orders}</TableCell>
            <TableCell className="whitespace-nowrap text-right tabular-nums">
              {duration(card.medianToShipSeconds)} / {duration(card.p90ToShipSeconds)}
            </TableCell>
            <TableCell className="text-right tabular-nums">{percent(card.cancellationRate)}</TableCell>
            <TableCell className="text-right tabular-nums">{percent(card.outOfStockRate)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function FunnelTable({ steps }: { steps: InsightsDto["funnel"] }) {
  return (
    <Table label="Funnel from ordered to completed" variant="compact">
      <TableHead>
        <TableHeaderCell>Stage</TableHeaderCell>
        <TableHeaderCell className="text-right">Reached</TableHeaderCell>
        <TableHeaderCell className="text-right">Dropped before</TableHeaderCell>
        <TableHeaderCell className="text-right">Waiting here</TableHeaderCell>
      </TableHead>
      <TableBody>
        {steps.map((step) => (
          <TableRow key={step.stage}>
            <TableCell className="whitespace-nowrap font-medium">{STAGE_LABELS[step.stage]}</TableCell>
            <TableCell className="text-right tabular-nums">{step.reached}</TableCell>
            <TableCell className="text-right tabular-nums">{step.dropOff}</TableCell>
            <TableCell className="text-right tabular-nums">{step.stoppedOpen}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function StuckTable({ days }: { days: InsightsDto["stuckPerDay"] }) {
  return (
    <Table label="Orders that became stuck per day" variant="compact">
      <TableHead>
        <TableHeaderCell>Day (UTC)</TableHeaderCell>
        <TableHeaderCell className="text-right">Still stuck</TableHeaderCell>
        <TableHeaderCell className="text-right">Moved on since</TableHeaderCell>
      </TableHead>
      <TableBody>
        {[...days].reverse().map((day) => (
          <TableRow key={day.day}>
            <TableCell className="whitespace-nowrap tabular-nums">{day.day}</TableCell>
            <TableCell className="text-right tabular-nums">{day.stillStuck}</TableCell>
            <TableCell className="text-right tabular-nums">{day.recovered}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The Insights page: a range and a pharmacy in the URL, five charts each with its table, refreshed by live order notices. */
export function InsightsView() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const query = useMemo(() => insightsQuerySchema.parse(Object.fromEntries(searchParams.entries())), [searchParams]);
  const insights = useInsights(query);
  const data = insights.data;

  function navigate(change: Partial<InsightsQuery>) {
    const search = insightsQueryToSearch({ ...query, ...change });
    router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
  }

  const pharmacies = data ? data.scorecards.map((card) => card.pharmacy) : [];
  if (query.pharmacy && !pharmacies.includes(query.pharmacy)) pharmacies.unshift(query.pharmacy);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <SelectField label="Orders started in" fieldClassName="text-sm font-medium" value={query.range} onChange={(event) => navigate({ range: insightsQuerySchema.shape.range.parse(event.target.value) })}>
          {INSIGHTS_RANGES.map((range) => (
            <option key={range} value={range}>
              Last {INSIGHTS_RANGE_DAYS[range]} days
            </option>
          ))}
        </SelectField>
        <SelectField label="Pharmacy" fieldClassName="text-sm font-medium" value={query.pharmacy ?? ""} onChange={(event) => navigate({ pharmacy: event.target.value || undefined })} className="max-w-full">
          <option value="">All pharmacies</option>
          {pharmacies.map((pharmacy) => (
            <option key={pharmacy} value={pharmacy}>
              {pharmacy}
            </option>
          ))}
        </SelectField>
        {query.pharmacy ? (
          <Button variant="secondary" onClick={() => navigate({ pharmacy: undefined })}>
            Clear pharmacy
          </Button>
        ) : null}
        <span className="ml-auto pb-2">
          <LiveIndicator />
        </span>
      </div>

      {insights.isError ? <Alert tone="error">The insights could not be loaded: {insights.error.message}</Alert> : null}
      {!data ? (
        <p className="text-sm text-slate-500">Loading insights…</p>
      ) : (
        <>
          <p className="text-xs text-slate-500">
            Orders whose first event came on the {INSIGHTS_RANGE_DAYS[data.range]} UTC days up to now{data.pharmacy ? `, at ${data.pharmacy}` : ""}. Durations are estimates within about ±12 %.
          </p>
          <Section title="Orders per day" description="Orders by the day they started, and how they have ended so far." chart={<OrdersPerDayChart days={data.ordersPerDay} />}>
            <OrdersPerDayTable days={data.ordersPerDay} />
          </Section>
          <Section title="Time in each stage" description="Median / 90th percentile of the time orders spent in each stage, overall and for the busiest pharmacies." chart={<StageTimesChart stages={data.stageTimes.overall} />}>
            <StageTimesTable stageTimes={data.stageTimes} />
          </Section>
          <Section title="Pharmacy scorecards" description="Time from order to shipped or ready for pickup, and the share of orders cancelled or ever out of stock." chart={<ScorecardChart cards={data.scorecards} />}>
            <ScorecardTable cards={data.scorecards} />
          </Section>
          <Section title="Funnel" description="Orders that reached each stage (or a later one), how many dropped out before it, and how many are still waiting there." chart={<FunnelChart steps={data.funnel} />}>
            <FunnelTable steps={data.funnel} />
          </Section>
          <Section title="Stuck orders" description="Orders that overran a stage's time budget, by the day it happened, and whether they are still stuck." chart={<StuckChart days={data.stuckPerDay} />}>
            <StuckTable days={data.stuckPerDay} />
          </Section>
        </>
      )}
    </div>
  );
}
