"use client";

import { Time } from "@/components/time";
import type { FormEvent, ReactNode } from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { AUDIT_OUTCOMES, auditTargetHref, auditFiltersSchema, auditQueryToSearch, type AuditEntryDto, type AuditFilters } from "@/lib/audit";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { SelectField, TextField } from "@/components/ui/field";
import { useAuditEntries } from "@/components/queries/audit";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";

function textOf(value: FormDataEntryValue | null): string | undefined {
  const text = typeof value === "string" ? value.trim() : "";
  return text ? text : undefined;
}

function target(entry: AuditEntryDto): ReactNode {
  if (!entry.targetType) return "";
  if (!entry.targetId) return entry.targetType;
  const href = auditTargetHref(entry.targetType, entry.targetId);
  return href ? (
    <>
      {entry.targetType}{" "}
      <Link href={href} className="text-sky-700 underline dark:text-sky-300">
        {entry.targetId}
      </Link>
    </>
  ) : (
    `${entry.targetType} ${entry.targetId}`
  );
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
        <TextField label="Actor" name="actor" defaultValue={filters.actor ?? ""} placeholder="start of an email, token name, or cli" />
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
        <Table label="Audit log" variant="boxed">
          <TableHead>
            <TableHeaderCell>Time</TableHeaderCell>
            <TableHeaderCell>Actor</TableHeaderCell>
            <TableHeaderCell>Role</TableHeaderCell>
            <TableHeaderCell>Action</TableHeaderCell>
            <TableHeaderCell>Outcome</TableHeaderCell>
            <TableHeaderCell>Target</TableHeaderCell>
            <TableHeaderCell>Reason</TableHeaderCell>
            <TableHeaderCell>Details</TableHeaderCell>
            <TableHeaderCell>Source</TableHeaderCell>
          </TableHead>
          <TableBody>
            {rows.map((entry) => (
              <TableRow key={entry.id} className="align-top">
                <TableCell className="whitespace-nowrap font-mono text-xs"><Time value={entry.at} /></TableCell>
                <TableCell>
                  {entry.actorLabel}
                  <span className="block text-xs text-slate-500">{entry.actorType}</span>
                </TableCell>
                <TableCell>{entry.actorRole ?? ""}</TableCell>
                <TableCell className="font-mono text-xs">{entry.action}</TableCell>
                <TableCell className={`${OUTCOME_TONE[entry.outcome] ?? ""}`}>{entry.outcome}</TableCell>
                <TableCell className="font-mono text-xs">{target(entry)}</TableCell>
                <TableCell>{entry.reason ?? ""}</TableCell>
                <TableCell className="max-w-xs break-words font-mono text-xs">{detailsText(entry)}</TableCell>
                <TableCell className="font-mono text-xs" title={entry.userAgent ?? undefined}>
                  {entry.sourceAddress ?? ""}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {entries.hasNextPage ? (
        <Button variant="secondary" disabled={entries.isFetchingNextPage} onClick={() => void entries.fetchNextPage()}>
          {entries.isFetchingNextPage ? "Loading…" : "Load older entries"}
        </Button>
      ) : null}
    </div>
  );
}
