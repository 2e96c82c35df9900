"use client";

import { Area, AreaChart, ResponsiveContainer, YAxis } from "recharts";

/**
 * A small trend line of counts per bucket, oldest first. Decorative for
 * screen readers beyond its label, which states the total and the peak.
 */
export function Sparkline({ values, label, tone = "red" }: { values: readonly number[]; label: string; tone?: "red" | "amber" | "slate" }) {
  const data = values.map((value, index) => ({ index, value }));
  const colour = tone === "red" ? "#dc2626" : tone === "amber" ? "#d97706" : "#64748b";
  return (
    <div role="img" aria-label={label} className="h-10 w-40">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={{ top: 2, right: 0, bottom: 2, left: 0 }}>
          <YAxis hide domain={[0, "dataMax"]} />
          <Area type="monotone" dataKey="value" stroke={colour} fill={colour} fillOpacity={0.15} strokeWidth={1.5} isAnimationActive={false} dot={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
