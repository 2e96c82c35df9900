import { PROGRESS_STAGES, STAGE_LABELS, progressIndex, type ProgressStage, type Stage } from "@/lib/lifecycle";

const SIDE_STYLES: Partial<Record<Stage, string>> = {
  on_hold: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  declined: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
  cancelled: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
  other: "bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
};

/**
 * The main path as a row of steps: filled up to the furthest stage reached,
 * hollow where an event is missing (a gap), and a badge when the order left
 * the main path (held, declined, cancelled, unknown status).
 */
export function StageProgress({ stage, reachedStage, gaps, compact = false }: { stage: Stage; reachedStage: ProgressStage | null; gaps: readonly ProgressStage[]; compact?: boolean }) {
  const reached = reachedStage ? progressIndex(reachedStage) : -1;
  const sideStyle = SIDE_STYLES[stage];
  const description = `${STAGE_LABELS[stage]}${reachedStage && reachedStage !== stage ? `, reached ${STAGE_LABELS[reachedStage]}` : ""}${gaps.length > 0 ? `, ${gaps.length} step(s) not received` : ""}`;
  return (
    <div className="flex items-center gap-2" role="img" aria-label={`Progress: ${description}`}>
      <ol className="flex items-center gap-1">
        {PROGRESS_STAGES.map((step, index) => {
          const isReached = index <= reached;
          const isGap = gaps.includes(step);
          const tone = isGap
            ? "border-2 border-dashed border-amber-500 bg-transparent"
            : isReached
              ? stage === "completed"
                ? "bg-emerald-600"
                : "bg-sky-600"
              : "bg-slate-300 dark:bg-slate-700";
          const state = isGap ? "not received" : isReached ? "reached" : "not yet";
          return <li key={step} title={`${index + 1}. ${STAGE_LABELS[step]} — ${state}`} data-stage={step} className={`${compact ? "h-2 w-4" : "h-2.5 w-7"} rounded-full ${tone}`} />;
        })}
      </ol>
      {sideStyle ? <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${sideStyle}`}>{STAGE_LABELS[stage]}</span> : null}
    </div>
  );
}

const LEGEND_SWATCHES = [
  { label: "reached", tone: "bg-sky-600" },
  { label: "completed", tone: "bg-emerald-600" },
  { label: "not received", tone: "border-2 border-dashed border-amber-500" },
  { label: "not yet", tone: "bg-slate-300 dark:bg-slate-700" },
] as const;

/** What the progress segments mean: the seven main-path stages in order, and the colours. */
export function StageLegend() {
  return (
    <div role="note" aria-label="Progress legend" className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
      <ol className="flex flex-wrap gap-x-3 gap-y-1">
        {PROGRESS_STAGES.map((step, index) => (
          <li key={step}>
            <span className="tabular-nums">{index + 1}.</span> {STAGE_LABELS[step]}
          </li>
        ))}
      </ol>
      <ul className="flex flex-wrap gap-x-3 gap-y-1">
        {LEGEND_SWATCHES.map((swatch) => (
          <li key={swatch.label} className="flex items-center gap-1">
            <span aria-hidden="true" className={`inline-block h-2 w-4 rounded-full ${swatch.tone}`} />
            {swatch.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
