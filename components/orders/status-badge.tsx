import { friendlyStatusLabel } from "@/lib/lifecycle";
import type { StatusAppearanceSettings } from "@/lib/settings";

const COLOURS = {
  slate: "bg-slate-100 text-slate-800 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600",
  sky: "bg-sky-50 text-sky-900 ring-sky-300 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800",
  amber: "bg-amber-50 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800",
  emerald: "bg-emerald-50 text-emerald-900 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800",
  red: "bg-red-50 text-red-900 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800",
  violet: "bg-violet-50 text-violet-900 ring-violet-300 dark:bg-violet-950 dark:text-violet-200 dark:ring-violet-800",
} as const;

/**
 * An RxScale status with its configured (else its documented friendly) label and colour; the exact string RxScale
 * sent is in the tooltip. A status RxScale never documented shows as sent.
 */
export function StatusBadge({ status, appearance }: { status: string; appearance: StatusAppearanceSettings }) {
  const known = appearance[status];
  return (
    <span title={`RxScale status: ${status}`} data-status={status} className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${COLOURS[known?.colour ?? "slate"]}`}>
      {known?.label ?? friendlyStatusLabel(status) ?? status}
    </span>
  );
}
