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
          return <li key={step} title={`${STAGE_LABELS[step]}${isGap ? " — not received" : ""}`} className={`${compact ? "h-2 w-4" : "h-2.5 w-7"} rounded-full ${tone}`} />;
        })}
      </ol>
      {sideStyle ? <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${sideStyle}`}>{STAGE_LABELS[stage]}</span> : null}
    </div>
  );
}
