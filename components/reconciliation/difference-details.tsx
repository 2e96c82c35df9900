import { DIFFERENCE_CLASS_LABELS, LIKELY_CAUSE_LABELS, type DifferenceClass, type EntityDifference, type LikelyCause } from "@/lib/reconciliation";

const CLASS_STYLE: Record<DifferenceClass | "in_sync", string> = {
  in_sync: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  missing: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
  behind: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  unknown_to_rxscale: "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100",
};

export function DifferenceClassBadge({ value }: { value: DifferenceClass | "in_sync" }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ${CLASS_STYLE[value]}`}>{DIFFERENCE_CLASS_LABELS[value]}</span>;
}

/** What differs for one order: per entity, RxScale's status next to RxWatch's, and the likely cause. Identifiers and statuses only. */
export function DifferenceDetails({ entities, likelyCause }: { entities: readonly EntityDifference[]; likelyCause: LikelyCause | null }) {
  return (
    <div className="space-y-1 text-sm">
      {entities.length > 0 ? (
        <ul className="space-y-0.5">
          {entities.map((entity) => (
            <li key={`${entity.kind}:${entity.uid}`} className="break-words">
              <span className="text-xs uppercase text-slate-500">{entity.kind.replace("_", " ")}</span> <span className="font-mono text-xs">{entity.uid}</span>: RxScale says <strong>{entity.rxscaleStatus}</strong>, RxWatch{" "}
              {entity.rxwatchStatus === null ? "received nothing" : <>says {entity.rxwatchStatus}</>}
            </li>
          ))}
        </ul>
      ) : null}
      {likelyCause ? <p className="text-slate-600 dark:text-slate-400">Likely cause: {LIKELY_CAUSE_LABELS[likelyCause]}</p> : null}
    </div>
  );
}
