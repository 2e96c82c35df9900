"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import type { ReconciliationRunDto } from "@/lib/reconciliation";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { Time } from "@/components/time";
import { useCancelReconciliation, useFillFromRxScale, useReconciliationRun, useReconciliationRuns, useStartReconciliation } from "@/components/queries/reconciliation";
import { errorText } from "@/components/reconciliation/check-order";
import { DifferenceClassBadge, DifferenceDetails } from "@/components/reconciliation/difference-details";

const TRIGGER_LABELS: Record<ReconciliationRunDto["trigger"], string> = { timer: "Timer", manual: "Started here", cli: "Command line", order: "One order" };
const STATE_LABELS: Record<ReconciliationRunDto["state"], string> = { running: "Running", completed: "Completed", failed: "Failed", cancelled: "Cancelled" };

function differenceCount(run: ReconciliationRunDto): number {
  return run.missing + run.behind + run.unknownToRxScale;
}

function RunState({ run }: { run: ReconciliationRunDto }) {
  if (run.state !== "running") return <span>{STATE_LABELS[run.state]}</span>;
  return (
    <span className="font-medium text-sky-700 dark:text-sky-300" aria-live="polite">
      Running… {run.checked} checked
    </span>
  );
}

function CancelRun({ run }: { run: ReconciliationRunDto }) {
  const cancel = useCancelReconciliation();
  return (
    <>
      <ConfirmButton
        variant="secondary"
        title="Cancel this reconciliation run?"
        description="It stops after the page of orders it is reading now. What it found so far stays recorded; the next run starts from the last completed one."
        confirmLabel="Cancel the run"
        onConfirm={() => cancel.mutateAsync(run.id)}
      >
        Cancel
      </ConfirmButton>
      {cancel.isError ? <Alert tone="error">{errorText(cancel.error)}</Alert> : null}
    </>
  );
}

function RunDetails({ runId, isAdmin }: { runId: string; isAdmin: boolean }) {
  const [pages, setPages] = useState<number[]>([0]);
  const after = pages.at(-1) ?? 0;
  const detail = useReconciliationRun(runId, after);
  const fill = useFillFromRxScale();
  if (detail.isPending) return <p className="text-sm text-slate-500">Loading the run…</p>;
  if (detail.isError) return <Alert tone="error">{errorText(detail.error)}</Alert>;
  const { run, differences, nextAfter } = detail.data;
  const canFill = isAdmin && run.state !== "running" && run.trigger !== "order" && run.missing + run.behind > run.filled;

  return (
    <Card
      title="Differing orders"
      description={
        <>
          Run of <Time value={run.startedAt} />, orders RxScale changed since <Time value={run.since} />.
        </>
      }
      actions={
        canFill ? (
          <ConfirmButton
            variant="primary"
            title="Fill from RxScale?"
            description={`RxWatch reads the orders RxScale changed since this run's start of window again and records RxScale's state for every one that still differs (${run.missing + run.behind} found here), as facts marked "from RxScale's API". A later webhook still wins. This is audited.`}
            confirmLabel="Fill from RxScale"
            onConfirm={() => fill.mutateAsync(run.id)}
          >
            Fill from RxScale
          </ConfirmButton>
        ) : null
      }
    >
      {fill.isError ? <Alert tone="error">{errorText(fill.error)}</Alert> : null}
      {fill.isSuccess ? <Alert tone="success">Filling from RxScale: a new run started; its counts appear above.</Alert> : null}
      {differences.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">{run.state === "running" ? "Nothing differs so far." : "Every order checked agrees with RxScale."}</p>
      ) : (
        <ul className="space-y-3" aria-label="Differing orders">
          {differences.map((difference) => (
            <li key={`${difference.orderUid}-${difference.class}`} className="rounded border border-slate-200 p-3 dark:border-slate-800" data-testid="difference">
              <div className="mb-1 flex flex-wrap items-center gap-2">
                <DifferenceClassBadge value={difference.class} />
                {difference.class === "missing" && !difference.isFilled ? (
                  <span className="font-mono text-sm break-all">{difference.orderUid}</span>
                ) : (
                  <Link className="font-mono text-sm break-all text-sky-700 underline dark:text-sky-300" href={`/orders/${encodeURIComponent(difference.orderUid)}`}>
                    {difference.orderUid}
                  </Link>
                )}
                {difference.isFilled ? <span className="text-xs text-emerald-700 dark:text-emerald-300">filled from RxScale</span> : null}
              </div>
              <DifferenceDetails entities={difference.entities} likelyCause={difference.likelyCause} />
            </li>
          ))}
        </ul>
      )}
      <div className="mt-3 flex gap-2">
        {pages.length > 1 ? (
          <Button variant="secondary" onClick={() => setPages(pages.slice(0, -1))}>
            Previous
          </Button>
        ) : null}
        {nextAfter !== null ? (
          <Button variant="secondary" onClick={() => setPages([...pages, nextAfter])}>
            Next
          </Button>
        ) : null}
      </div>
    </Card>
  );
}

/** The reconciliation view: recent runs with counts per class (live while one runs), and the selected run's differing orders. */
export function ReconciliationView({ isAdmin }: { isAdmin: boolean }) {
  const runs = useReconciliationRuns();
  const start = useStartReconciliation();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  if (runs.isPending) return <p className="text-sm text-slate-500">Loading…</p>;
  if (runs.isError) return <Alert tone="error">{errorText(runs.error)}</Alert>;
  const list = runs.data.runs;
  const selected = searchParams.get("run") ?? list.find((run) => differenceCount(run) > 0)?.id ?? list[0]?.id ?? null;
  const isRunning = list.some((run) => run.state === "running");

  return (
    <div className="space-y-6">
      <Card
        title="Runs"
        description="Each run reads the orders RxScale changed since the last one and compares them with what webhooks told RxWatch."
        actions={
          <Button disabled={isRunning || start.isPending} onClick={() => start.mutate()}>
            {start.isPending ? "Starting…" : "Run now"}
          </Button>
        }
      >
        {start.isError ? <Alert tone="error">{errorText(start.error)}</Alert> : null}
        {list.length === 0 ? (
          <EmptyState title="No run yet">Runs start on a timer once an RxScale API key with order:read is saved under Settings → Connection, or with Run now.</EmptyState>
        ) : (
          <Table label="Reconciliation runs">
            <TableHead>
              <TableHeaderCell>Started</TableHeaderCell>
              <TableHeaderCell>By</TableHeaderCell>
              <TableHeaderCell>State</TableHeaderCell>
              <TableHeaderCell>Checked</TableHeaderCell>
              <TableHeaderCell>In sync</TableHeaderCell>
              <TableHeaderCell>Missing</TableHeaderCell>
              <TableHeaderCell>Behind</TableHeaderCell>
              <TableHeaderCell>Unknown to RxScale</TableHeaderCell>
              <TableHeaderCell>Filled</TableHeaderCell>
              <TableHeaderCell label="Actions" />
            </TableHead>
            <TableBody>
              {list.map((run) => (
                <TableRow key={run.id} data-testid="reconciliation-run" data-state={run.state} data-selected={run.id === selected}>
                  <TableCell className="whitespace-nowrap">
                    <Time value={run.startedAt} />
                  </TableCell>
                  <TableCell>{TRIGGER_LABELS[run.trigger]}</TableCell>
                  <TableCell>
                    <RunState run={run} />
                    {run.error ? <span className="block text-xs text-red-700 dark:text-red-300">{run.error}</span> : null}
                  </TableCell>
                  <TableCell data-count="checked">{run.checked}</TableCell>
                  <TableCell data-count="inSync">{run.inSync}</TableCell>
                  <TableCell data-count="missing">{run.missing}</TableCell>
                  <TableCell data-count="behind">{run.behind}</TableCell>
                  <TableCell data-count="unknownToRxScale">{run.unknownToRxScale}</TableCell>
                  <TableCell data-count="filled">{run.filled}</TableCell>
                  <TableCell className="whitespace-nowrap">
                    {run.state === "running" ? <CancelRun run={run} /> : null}{" "}
                    {run.id !== selected ? (
                      <Button variant="secondary" onClick={() => router.replace(`${pathname}?run=${encodeURIComponent(run.id)}`, { scroll: false })}>
                        Show
                      </Button>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
      {selected ? <RunDetails key={selected} runId={selected} isAdmin={isAdmin} /> : null}
    </div>
  );
}
