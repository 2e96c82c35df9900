import type { HTMLAttributes, ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";

/*
 * The one table of the design system. Cell padding, the header's look and
 * row borders are set once here, on the table, so call sites only add what
 * is special about a column (monospace, no wrapping, alignment).
 */

const VARIANTS = {
  /** Inside a card: no frame, columns separated by right padding. */
  plain: {
    frame: "",
    table: "[&_th]:py-2 [&_th]:pr-3 [&_td]:py-2 [&_td]:pr-3 [&_th:last-child]:pr-0 [&_td:last-child]:pr-0",
  },
  /** A table that is the page's content: framed, with a shaded header. */
  boxed: {
    frame: "rounded-md border border-slate-200 dark:border-slate-800",
    table: "[&_th]:px-3 [&_th]:py-2 [&_td]:px-3 [&_td]:py-2 [&_thead]:bg-slate-50 dark:[&_thead]:bg-slate-900",
  },
  /** Dense rows for short lists inside a panel. */
  compact: {
    frame: "",
    table: "[&_th]:py-1 [&_th]:pr-3 [&_td]:py-1 [&_td]:pr-3 [&_th:last-child]:pr-0 [&_td:last-child]:pr-0",
  },
} as const;

export type TableVariant = keyof typeof VARIANTS;

/**
 * A table in its own horizontal scroll container: a table wider than a phone
 * scrolls by itself instead of pushing the whole page sideways. `label`
 * becomes the table's accessible name. The frame is `relative` so visually
 * hidden (absolutely positioned) header text is clipped by it too, not by the page.
 */
export function Table({ label, variant = "plain", className = "", children }: { label?: string; variant?: TableVariant; className?: string; children: ReactNode }) {
  const style = VARIANTS[variant];
  return (
    <div className={`relative max-w-full overflow-x-auto ${style.frame} ${className}`}>
      <table
        aria-label={label}
        className={`w-full text-left text-sm [&_thead]:text-xs [&_thead]:uppercase [&_thead]:text-slate-500 [&_tbody_tr]:border-t [&_tbody_tr]:border-slate-200 dark:[&_tbody_tr]:border-slate-800 ${style.table}`}
      >
        {children}
      </table>
    </div>
  );
}

export function TableHead({ children }: { children: ReactNode }) {
  return (
    <thead>
      <tr>{children}</tr>
    </thead>
  );
}

export function TableBody({ children }: { children: ReactNode }) {
  return <tbody>{children}</tbody>;
}

export function TableRow(props: HTMLAttributes<HTMLTableRowElement>) {
  return <tr {...props} />;
}

/** A column header. Give an actions column a `label` for screen readers instead of leaving it empty. */
export function TableHeaderCell({ label, children, ...props }: ThHTMLAttributes<HTMLTableCellElement> & { label?: string }) {
  return (
    <th scope="col" {...props}>
      {children ?? (label ? <span className="sr-only">{label}</span> : null)}
    </th>
  );
}

export function TableCell(props: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td {...props} />;
}
