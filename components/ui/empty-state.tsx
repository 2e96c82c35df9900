import type { ReactNode } from "react";

/** What a page shows before it has data: what will appear here and how to get it in. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center dark:border-slate-700 dark:bg-slate-900">
      <h2 className="text-lg font-semibold">{title}</h2>
      <div className="mx-auto mt-2 max-w-xl space-y-2 text-sm text-slate-600 dark:text-slate-400">{children}</div>
    </div>
  );
}
