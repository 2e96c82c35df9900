import type { DeliveryOutcome } from "@/lib/rxscale/deliveries";
import type { EventStatus } from "@/lib/processing";

const TONE = {
  emerald: "bg-emerald-50 text-emerald-900 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800",
  slate: "bg-slate-100 text-slate-800 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600",
  sky: "bg-sky-50 text-sky-900 ring-sky-300 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800",
  amber: "bg-amber-50 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800",
  red: "bg-red-50 text-red-900 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800",
} as const;

export function Badge({ tone, children, title }: { tone: keyof typeof TONE; children: string; title?: string }) {
  return (
    <span title={title} className={`inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE[tone]}`}>
      {children}
    </span>
  );
}

const OUTCOME_TONE: Record<DeliveryOutcome, keyof typeof TONE> = { accepted: "emerald", duplicate: "sky", rejected: "red", quarantined: "amber", released: "slate" };

export function OutcomeBadge({ outcome }: { outcome: DeliveryOutcome }) {
  return <Badge tone={OUTCOME_TONE[outcome]}>{outcome}</Badge>;
}

const STATE_TONE: Record<EventStatus, keyof typeof TONE> = { pending: "slate", processing: "sky", processed: "emerald", failed: "amber", dead: "red" };
const STATE_HINT: Record<EventStatus, string> = {
  pending: "Waiting for its first run, or queued again",
  processing: "A worker is running its handler",
  processed: "Its handler succeeded",
  failed: "Its handler failed; it will be retried",
  dead: "Given up on; only a re-process runs it again",
};

export function ProcessingBadge({ status }: { status: EventStatus }) {
  return (
    <Badge tone={STATE_TONE[status]} title={STATE_HINT[status]}>
      {status}
    </Badge>
  );
}
