"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { OUTCOME_LABELS, type InsightsDto } from "@/lib/insights";
import { STAGE_LABELS } from "@/lib/lifecycle";

/*
 * The Insights page's charts. Each one is drawn as an image with a name
 * (role="img"); the table beside it carries the same numbers for screen
 * readers, copying and phones.
 */

const AXIS = { stroke: "#94a3b8", fontSize: 11 };
const MARGIN = { top: 4, right: 8, bottom: 0, left: -16 };
const COLOURS = { completed: "#059669", cancelled: "#dc2626", open: "#0284c7", median: "#7c3aed", p90: "#c4b5fd", stillStuck: "#d97706", recovered: "#94a3b8" } as const;

function Frame({ label, children }: { label: string; children: React.ReactElement }) {
  return (
    <div role="img" aria-label={label} className="h-56 min-w-0" data-chart={label}>
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </div>
  );
}

const shortDay = (day: string) => day.slice(5);
const hours = (seconds: number | null) => (seconds === null ? null : Math.round((seconds / 3600) * 10) / 10);

export function OrdersPerDayChart({ days }: { days: InsightsDto["ordersPerDay"] }) {
  return (
    <Frame label="Orders per day by outcome">
      <BarChart data={days} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} {...AXIS} minTickGap={16} />
        <YAxis {...AXIS} allowDecimals={false} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {(["completed", "cancelled", "open"] as const).map((outcome) => (
          <Bar key={outcome} dataKey={outcome} name={OUTCOME_LABELS[outcome]} stackId="outcome" fill={COLOURS[outcome]} isAnimationActive={false} />
        ))}
      </BarChart>
    </Frame>
  );
}

export function StageTimesChart({ stages }: { stages: InsightsDto["stageTimes"]["overall"] }) {
  const data = stages.map((row) => ({ label: STAGE_LABELS[row.stage], median: hours(row.medianSeconds), p90: hours(row.p90Seconds) }));
  return (
    <Frame label="Hours spent in each stage, median and 90th percentile">
      <BarChart data={data} layout="vertical" margin={{ ...MARGIN, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" horizontal={false} />
        <XAxis type="number" {...AXIS} unit=" h" />
        <YAxis type="category" dataKey="label" {...AXIS} width={130} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="median" name="Median (h)" fill={COLOURS.median} isAnimationActive={false} />
        <Bar dataKey="p90" name="90th percentile (h)" fill={COLOURS.p90} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}

export function FunnelChart({ steps }: { steps: InsightsDto["funnel"] }) {
  const data = steps.map((step) => ({ label: STAGE_LABELS[step.stage], reached: step.reached }));
  return (
    <Frame label="Orders reaching each stage">
      <BarChart data={data} layout="vertical" margin={{ ...MARGIN, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" horizontal={false} />
        <XAxis type="number" {...AXIS} allowDecimals={false} />
        <YAxis type="category" dataKey="label" {...AXIS} width={130} />
        <Tooltip />
        <Bar dataKey="reached" name="Reached" fill={COLOURS.completed} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}

export function StuckChart({ days }: { days: InsightsDto["stuckPerDay"] }) {
  return (
    <Frame label="Orders that became stuck per day">
      <BarChart data={days} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} {...AXIS} minTickGap={16} />
        <YAxis {...AXIS} allowDecimals={false} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="stillStuck" name="Still stuck" stackId="stuck" fill={COLOURS.stillStuck} isAnimationActive={false} />
        <Bar dataKey="recovered" name="Moved on since" stackId="stuck" fill={COLOURS.recovered} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}

export function ScorecardChart({ cards }: { cards: InsightsDto["scorecards"] }) {
  const data = cards.map((card) => ({ label: card.pharmacy, median: hours(card.medianToShipSeconds), p90: hours(card.p90ToShipSeconds) }));
  return (
    <Frame label="Hours from order to shipped per pharmacy, median and 90th percentile">
      <BarChart data={data} layout="vertical" margin={{ ...MARGIN, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" horizontal={false} />
        <XAxis type="number" {...AXIS} unit=" h" />
        <YAxis type="category" dataKey="label" {...AXIS} width={130} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="median" name="Median (h)" fill={COLOURS.median} isAnimationActive={false} />
        <Bar dataKey="p90" name="90th percentile (h)" fill={COLOURS.p90} isAnimationActive={false} />
      </BarChart>
    </Frame>
  );
}
