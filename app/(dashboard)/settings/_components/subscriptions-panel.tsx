"use client";

import { useState } from "react";
import { Time } from "@/components/time";
import type { TestEventResultDto } from "@/lib/subscriptions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { Card } from "@/components/ui/card";
import { useConnection, useRecreateSubscription, useSendTestEvent, useSubscribe, useSubscriptions, useUnsubscribe } from "@/components/queries/settings";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { CheckboxField } from "@/components/ui/field";

const TEST_TONE: Record<TestEventResultDto["result"], "success" | "error"> = { passed: "success", signature_mismatch: "error", rejected: "error", not_received: "error", unreachable: "error" };

export function SubscriptionsPanel() {
  const connection = useConnection();
  const isConfigured = connection.data?.apiKey.isSet ?? false;
  const subscriptions = useSubscriptions(isConfigured);
  const subscribe = useSubscribe();
  const unsubscribe = useUnsubscribe();
  const recreate = useRecreateSubscription();
  const sendTest = useSendTestEvent();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [testResults, setTestResults] = useState<Record<string, TestEventResultDto | string>>({});
  const [testing, setTesting] = useState<string | null>(null);

  if (!isConfigured) {
    return (
      <Card title="Subscriptions" description="One RxScale subscription per event type delivers that type to RxWatch.">
        <p className="text-sm text-slate-600 dark:text-slate-400">Save an RxScale API key above to manage subscriptions.</p>
      </Card>
    );
  }

  const view = subscriptions.data;
  const subscribedHere = new Set(view?.rows.filter((row) => row.isTargetThisRxWatch).map((row) => row.eventType));

  async function runTest(uid: string) {
    setTesting(uid);
    try {
      const result = await sendTest.mutateAsync(uid);
      setTestResults((previous) => ({ ...previous, [uid]: result }));
    } catch (error) {
      setTestResults((previous) => ({ ...previous, [uid]: error instanceof Error ? error.message : "The test failed." }));
    } finally {
      setTesting(null);
    }
  }

  return (
    <Card title="Subscriptions" description="RxScale's subscriptions for this organisation, with what RxWatch has received from each.">
      {subscriptions.isPending ? <p className="text-sm">Loading from RxScale…</p> : null}
      {subscriptions.isError ? <Alert tone="error">{subscriptions.error.message}</Alert> : null}
      {view ? (
        <div className="space-y-4">
          {view.missing.length > 0 ? <Alert tone="error">RxWatch expects {view.missing.join(", ")}, but RxScale has no subscription delivering it here.</Alert> : null}
          {view.unexpected.length > 0 ? <Alert tone="info">{view.unexpected.length} subscription(s) deliver elsewhere or were not made by RxWatch (marked below).</Alert> : null}
          <Table label="RxScale subscriptions">
            <TableHead>
              <TableHeaderCell>Event type</TableHeaderCell>
              <TableHeaderCell>Target</TableHeaderCell>
              <TableHeaderCell>Uid</TableHeaderCell>
              <TableHeaderCell>Last event</TableHeaderCell>
              <TableHeaderCell>24 h</TableHeaderCell>
              <TableHeaderCell>Secret</TableHeaderCell>
              <TableHeaderCell label="Actions" />
            </TableHead>
            <TableBody>
              {view.rows.map((row) => {
                const result = testResults[row.uid];
                return (
                  <TableRow key={row.uid} className="align-top" data-subscription={row.eventType}>
                    <TableCell className="font-medium">{row.eventType}</TableCell>
                    <TableCell className="max-w-64">
                      <span className="block truncate font-mono text-xs" title={row.target}>
                        {row.target}
                      </span>
                      {row.isTargetThisRxWatch ? <span className="text-xs text-emerald-700 dark:text-emerald-400">this RxWatch</span> : <span className="text-xs text-amber-700 dark:text-amber-400">elsewhere</span>}
                    </TableCell>
                    <TableCell className="font-mono text-xs">{row.uid}</TableCell>
                    <TableCell>{row.lastEventAt ? <Time value={row.lastEventAt} /> : "never"}</TableCell>
                    <TableCell className="tabular-nums">{row.eventsLast24h}</TableCell>
                    <TableCell>
                      {row.hasSigningSecret ? "captured" : <span className="text-amber-700 dark:text-amber-400">paste it below</span>}
                      {row.setupVerifiedAt ? (
                        <span className="block text-xs text-emerald-700 dark:text-emerald-400">
                          Setup verified at <Time value={row.setupVerifiedAt} />
                        </span>
                      ) : null}
                    </TableCell>
                    <TableCell className="space-y-2">
                      <div className="flex flex-wrap justify-end gap-1">
                        <Button variant="secondary" disabled={testing !== null} onClick={() => runTest(row.uid)}>
                          {testing === row.uid ? "Waiting for delivery…" : `Send test event (${row.eventType})`}
                        </Button>
                        <ConfirmButton
                          variant="secondary"
                          disabled={recreate.isPending}
                          title={`Re-create the ${row.eventType} subscription?`}
                          description={`RxScale deletes subscription ${row.uid} and creates a new one for ${row.eventType} delivering to this RxWatch; RxWatch captures its new signing secret. Events sent in between are not redelivered.`}
                          confirmLabel="Re-create"
                          onConfirm={() => recreate.mutateAsync(row.uid)}
                        >
                          Re-create
                        </ConfirmButton>
                        <ConfirmButton
                          disabled={unsubscribe.isPending}
                          title={`Unsubscribe from ${row.eventType}?`}
                          description={`RxScale deletes subscription ${row.uid}. ${row.eventType} events stop reaching ${row.isTargetThisRxWatch ? "this RxWatch" : row.target} until you subscribe again, and events sent meanwhile are not redelivered.`}
                          confirmLabel="Unsubscribe"
                          onConfirm={() => unsubscribe.mutateAsync(row.uid)}
                        >
                          Unsubscribe
                        </ConfirmButton>
                      </div>
                      {result ? (
                        <div data-testid={`test-result-${row.eventType}`}>
                          <Alert tone={typeof result === "string" ? "error" : TEST_TONE[result.result]}>{typeof result === "string" ? result : `${result.result === "passed" ? "Passed" : "Failed"}: ${result.message}`}</Alert>
                        </div>
                      ) : null}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
          <fieldset className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
            <legend className="px-1 text-sm font-medium">Subscribe this RxWatch to</legend>
            <div className="flex flex-wrap gap-4">
              {view.subscribableTypes.map((type) => (
                <CheckboxField
                  key={type}
                  label={
                    <>
                      {type}
                      {subscribedHere.has(type) ? <span className="text-xs text-slate-500">(subscribed)</span> : null}
                    </>
                  }
                  disabled={subscribedHere.has(type)}
                  checked={subscribedHere.has(type) || selected.has(type)}
                  onChange={(event) => {
                    const next = new Set(selected);
                    if (event.target.checked) next.add(type);
                    else next.delete(type);
                    setSelected(next);
                  }}
                />
              ))}
            </div>
            <div className="mt-3 flex items-center gap-2">
              <Button
                disabled={selected.size === 0 || subscribe.isPending}
                onClick={async () => {
                  await subscribe.mutateAsync([...selected]);
                  setSelected(new Set());
                }}
              >
                {subscribe.isPending ? "Subscribing…" : "Subscribe"}
              </Button>
              <span className="text-xs text-slate-500">Deliveries go to {view.effectiveTargetUrl}</span>
            </div>
            {subscribe.data?.failed.map((failure) => (
              <div key={failure.eventType} className="mt-2">
                <Alert tone="error">
                  {failure.eventType}: {failure.message}
                </Alert>
              </div>
            ))}
            {subscribe.data?.created.some((created) => !created.isSecretCaptured) ? (
              <div className="mt-2">
                <Alert tone="info">RxScale did not return a signing secret for every new subscription. Paste it under Signing secrets, or deliveries will be refused.</Alert>
              </div>
            ) : null}
          </fieldset>
          {unsubscribe.isError ? <Alert tone="error">{unsubscribe.error.message}</Alert> : null}
          {recreate.isError ? <Alert tone="error">{recreate.error.message}</Alert> : null}
        </div>
      ) : null}
    </Card>
  );
}
