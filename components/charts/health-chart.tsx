"use client";

import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { HealthPoint } from "@/lib/failures";

const OUTCOME_COLOURS = { accepted: "#059669", duplicate: "#0284c7", rejected: "#dc2626" } as const;
const BACKLOG_COLOURS = { pending: "#64748b", failed: "#d97706", dead: "#dc2626" } as const;

function tick(iso: string, isLong: boolean): string {
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, "0");
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return isLong ? `${pad(date.getDate())}.${pad(date.getMonth() + 1)}. ${time}` : time;
}

function Frame({ title, children }: { title: string; children: React.ReactElement }) {
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 text-xs font-semibold uppercase text-slate-500">{title}</figcaption>
      <div className="h-48">
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/**
 * The delivery health of a time range: deliveries per minute by outcome,
 * p95 acknowledgement time, and the processing backlog (pending, retrying,
 * dead) as sampled once a minute.
 */
export function HealthChart({ points, isLongRange }: { points: readonly HealthPoint[]; isLongRange: boolean }) {
  const data = points.map((point) => ({ ...point, label: tick(point.at, isLongRange) }));
  const axis = { stroke: "#94a3b8", fontSize: 11 };
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <Frame title="Deliveries per minute">
        <AreaChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="label" {...axis} minTickGap={24} />
          <YAxis {...axis} allowDecimals />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {(["accepted", "duplicate", "rejected"] as const).map((outcome) => (
            <Area key={outcome} type="monotone" dataKey={outcome} name={outcome} stackId="outcome" stroke={OUTCOME_COLOURS[outcome]} fill={OUTCOME_COLOURS[outcome]} fillOpacity={0.3} isAnimationActive={false} />
          ))}
        </AreaChart>
      </Frame>
      <Frame title="p95 acknowledgement (ms)">
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="label" {...axis} minTickGap={24} />
          <YAxis {...axis} />
          <Tooltip />
          <Line type="monotone" dataKey="p95AckMs" name="p95 ms" stroke="#7c3aed" dot={false} connectNulls isAnimationActive={false} />
        </LineChart>
      </Frame>
      <Frame title="Processing backlog">
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="label" {...axis} minTickGap={24} />
          <YAxis {...axis} allowDecimals={false} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {(["pending", "failed", "dead"] as const).map((status) => (
            <Line key={status} type="stepAfter" dataKey={status} name={status === "failed" ? "retrying" : status} stroke={BACKLOG_COLOURS[status]} dot={false} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      </Frame>
    </div>
  );
}
