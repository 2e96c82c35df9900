import type { ReactNode } from "react";

/*
 * Skeletons shown while a dashboard segment renders on the server: the shape
 * of the page that is coming (header, filters, table rows or cards), so the
 * layout does not jump when it arrives.
 */

function Bar({ className }: { className: string }) {
  return <div className={`animate-pulse rounded bg-slate-200 dark:bg-slate-800 ${className}`} />;
}

function HeaderSkeleton() {
  return (
    <div className="mb-6 space-y-2">
      <Bar className="h-7 w-40" />
      <Bar className="h-4 w-full max-w-xl" />
    </div>
  );
}

function Frame({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="status" aria-busy="true" aria-label={`Loading ${label}`}>
      <HeaderSkeleton />
      {children}
    </div>
  );
}

/** A list page: a row of filters above a table. */
export function TablePageSkeleton({ label, filters = 4, rows = 8 }: { label: string; filters?: number; rows?: number }) {
  return (
    <Frame label={label}>
      <div className="mb-4 flex flex-wrap gap-3">
        {Array.from({ length: filters }, (_, index) => (
          <Bar key={index} className="h-9 w-36" />
        ))}
      </div>
      <div className="overflow-hidden rounded-lg border border-slate-200 dark:border-slate-800">
        <Bar className="h-10 w-full rounded-none" />
        <div className="divide-y divide-slate-200 dark:divide-slate-800">
          {Array.from({ length: rows }, (_, index) => (
            <div key={index} className="flex gap-4 px-3 py-3">
              <Bar className="h-4 w-32" />
              <Bar className="h-4 flex-1" />
              <Bar className="hidden h-4 w-24 sm:block" />
            </div>
          ))}
        </div>
      </div>
    </Frame>
  );
}

/** A page of stacked cards (settings panels, failure groups, an order's trace). */
export function CardsPageSkeleton({ label, cards = 3 }: { label: string; cards?: number }) {
  return (
    <Frame label={label}>
      <div className="grid gap-6">
        {Array.from({ length: cards }, (_, index) => (
          <div key={index} className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
            <Bar className="h-5 w-48" />
            <Bar className="h-4 w-full max-w-lg" />
            <Bar className="h-24 w-full" />
          </div>
        ))}
      </div>
    </Frame>
  );
}
