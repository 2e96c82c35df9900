"use client";

import type { FormEvent } from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { AUDIT_OUTCOMES, auditFiltersSchema, auditQueryToSearch, type AuditEntryDto, type AuditFilters } from "@/lib/audit";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { SelectField, TextField } from "@/components/ui/field";
import { useAuditEntries } from "@/components/queries/audit";

function textOf(value: FormDataEntryValue | null): string | undefined {
  const text = typeof value === "string" ? value.trim() : "";
  return text ? text : undefined;
}

function target(entry: AuditEntryDto): string {
  if (!entry.targetType) return "";
  return entry.targetId ? `${entry.targetType} ${entry.targetId}` : entry.targetType;
}

/** Details as "name=value" pairs: identifiers, counts and codes only (the writer guarantees it). */
function detailsText(entry: AuditEntryDto): string {
  return Object.entries(entry.details)
    .filter(([, value]) => value !== null && value !== "")
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(" ");
}

const OUTCOME_TONE: Record<string, string> = {
  success: "text-emerald-800 dark:text-emerald-300",
  failure: "text-red-800 dark:text-red-300",
  denied: "text-amber-800 dark:text-amber-300",
};

export function AuditView({ actions }: { actions: readonly string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters: AuditFilters = auditFiltersSchema.parse(Object.fromEntries(searchParams.entries()));
  const entries = useAuditEntries(filters);
  const rows = entries.data?.pages.flatMap((page) => page.entries) ?? [];
  const search = auditQueryToSearch(filters);

  function onApply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const next = auditFiltersSchema.parse({
      action: textOf(data.get("action")),
      actor: textOf(data.get("actor")),
      outcome: textOf(data.get("outcome")),
      from: textOf(data.get("from")),
      to: textOf(data.get("to")),
    });
    const query = auditQueryToSearch(next);
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onApply} aria-label="Audit filters" className="grid gap-3 md:grid-cols-6 md:items-end" key={search}>
        <SelectField label="Action" name="action" defaultValue={filters.action ?? ""}>
          <option value="">Any action</option>
          {actions.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </SelectField>
        <TextField label="Actor" name="actor" defaultValue={filters.actor ?? ""} placeholder="email, token name or cli" />
        <SelectField label="Outcome" name="outcome" defaultValue={filters.outcome ?? ""}>
          <option value="">Any outcome</option>
          {AUDIT_OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome}
            </option>
          ))}
        </SelectField>
        <TextField label="From (UTC day)" name="from" type="date" defaultValue={filters.from ?? ""} />
        <TextField label="To (UTC day)" name="to" type="date" defaultValue={filters.to ?? ""} />
        <div className="flex gap-2">
          <Button type="submit">Apply</Button>
          {search ? (
            <Button type="button" variant="ghost" onClick={() => router.replace(pathname, { scroll: false })}>
              Clear
            </Button>
          ) : null}
        </div>
      </form>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="text-slate-600 dark:text-slate-400">
          {rows.length.toLocaleString("en-US")} shown{entries.hasNextPage ? ", more below" : ""}
        </span>
        <a className="ml-auto text-sky-800 underline dark:text-sky-300" href={`/api/audit/export?${auditQueryToSearch({ ...filters, format: "csv" })}`}>
          Export CSV
        </a>
        <a className="text-sky-800 underline dark:text-sky-300" href={`/api/audit/export?${auditQueryToSearch({ ...filters, format: "ndjson" })}`}>
          Export NDJSON
        </a>
      </div>
      {entries.isError ? <Alert tone="error">{entries.error.message}</Alert> : null}
      {entries.isSuccess && rows.length === 0 ? (
        <EmptyState title="No audit entries">{search ? "Nothing matches these filters." : "Nothing has been audited yet."}</EmptyState>
      ) : null}
      {rows.length > 0 ? (
        <div className="overflow-x-auto rounded-md border border-slate-200 dark:border-slate-800">
          <table className="w-full text-left text-sm" aria-label="Audit log">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500 dark:bg-slate-900">
              <tr>
                <th className="px-3 py-2">Time (UTC)</th>
                <th className="px-3 py-2">Actor</th>
                <th className="px-3 py-2">Role</th>
                <th className="px-3 py-2">Action</th>
                <th className="px-3 py-2">Outcome</th>
                <th className="px-3 py-2">Target</th>
                <th className="px-3 py-2">Reason</th>
                <th className="px-3 py-2">Details</th>
                <th className="px-3 py-2">Source</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.id} className="border-t border-slate-200 align-top dark:border-slate-800">
                  <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{entry.at.replace("T", " ").slice(0, 19)}</td>
                  <td className="px-3 py-2">
                    {entry.actorLabel}
                    <span className="block text-xs text-slate-500">{entry.actorType}</span>
                  </td>
                  <td className="px-3 py-2">{entry.actorRole ?? ""}</td>
                  <td className="px-3 py-2 font-mono text-xs">{entry.action}</td>
                  <td className={`px-3 py-2 ${OUTCOME_TONE[entry.outcome] ?? ""}`}>{entry.outcome}</td>
                  <td className="px-3 py-2 font-mono text-xs">{target(entry)}</td>
                  <td className="px-3 py-2">{entry.reason ?? ""}</td>
                  <td className="max-w-xs break-words px-3 py-2 font-mono text-xs">{detailsText(entry)}</td>
                  <td className="px-3 py-2 font-mono text-xs" title={entry.userAgent ?? undefined}>
                    {entry.sourceAddress ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {entries.hasNextPage ? (
        <Button variant="secondary" disabled={entries.isFetchingNextPage} onClick={() => void entries.fetchNextPage()}>
          {entries.isFetchingNextPage ? "Loading…" : "Load older entries"}
        </Button>
      ) : null}
    </div>
  );
}
