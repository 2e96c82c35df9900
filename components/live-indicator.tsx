"use client";

import { useLiveStatus } from "@/components/queries/live";

const LOOK = {
  live: { dot: "bg-emerald-500", text: "Live" },
  connecting: { dot: "bg-slate-400", text: "Connecting…" },
  reconnecting: { dot: "bg-red-500 animate-pulse", text: "Disconnected — reconnecting…" },
} as const;

/** Whether this page is receiving live updates right now. */
export function LiveIndicator() {
  const status = useLiveStatus();
  const look = LOOK[status];
  return (
    <span role="status" aria-live="polite" data-live-status={status} className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-400">
      <span className={`h-2 w-2 rounded-full ${look.dot}`} aria-hidden="true" />
      {look.text}
    </span>
  );
}
