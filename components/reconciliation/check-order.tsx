"use client";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Time } from "@/components/time";
import { ApiError } from "@/components/queries/api-fetch";
import { useCheckOrder } from "@/components/queries/reconciliation";
import { DifferenceClassBadge, DifferenceDetails } from "./difference-details";

/** An error as a person reads it: the server's message, and the request id to quote. */
export function errorText(error: Error): string {
  return error instanceof ApiError && error.requestId ? `${error.message} (request id ${error.requestId})` : error.message;
}

/** The trace page's "Check this order against RxScale" (support and admins): compares it now and shows the difference at once. */
export function CheckOrder({ orderUid }: { orderUid: string }) {
  const check = useCheckOrder(orderUid);
  return (
    <div className="space-y-2">
      <Button variant="secondary" disabled={check.isPending} onClick={() => check.mutate()}>
        {check.isPending ? "Checking…" : "Check this order against RxScale"}
      </Button>
      {check.isError ? <Alert tone="error">{errorText(check.error)}</Alert> : null}
      {check.data ? (
        <div className="rounded border border-slate-200 p-3 text-sm dark:border-slate-800" data-testid="order-check">
          <p className="mb-1 flex flex-wrap items-center gap-2">
            <DifferenceClassBadge value={check.data.class} />
            <span className="text-slate-600 dark:text-slate-400">
              checked <Time value={check.data.checkedAt} />
            </span>
          </p>
          {check.data.class === "in_sync" ? <p>RxWatch and RxScale agree on this order.</p> : <DifferenceDetails entities={check.data.entities} likelyCause={check.data.likelyCause} />}
        </div>
      ) : null}
    </div>
  );
}
