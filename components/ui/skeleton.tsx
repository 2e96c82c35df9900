/** Grey placeholder lines in the shape of what is loading, announced as loading `label`. */
export function Skeleton({ label, lines = 3 }: { label: string; lines?: number }) {
  return (
    <div role="status" aria-busy="true" aria-label={`Loading ${label}`} className="space-y-2">
      {Array.from({ length: lines }, (_, index) => (
        <div key={index} className={`h-4 animate-pulse rounded bg-slate-200 dark:bg-slate-800 ${index === lines - 1 ? "w-2/3" : "w-full"}`} />
      ))}
    </div>
  );
}
