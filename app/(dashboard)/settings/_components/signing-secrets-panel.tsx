"use client";

import { useState, type FormEvent } from "react";
import { Time, useFormatInstant } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { Card } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { useAddSigningSecret, useRetireSigningSecret, useSigningSecrets } from "@/components/queries/settings";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";

export function SigningSecretsPanel() {
  const secrets = useSigningSecrets();
  const add = useAddSigningSecret();
  const retire = useRetireSigningSecret();
  const formatTimestamp = useFormatInstant();
  const [added, setAdded] = useState(false);

  async function onAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAdded(false);
    const form = event.currentTarget;
    const data = new FormData(form);
    const subscriptionUid = String(data.get("subscriptionUid") ?? "").trim();
    await add.mutateAsync({ label: String(data.get("label")), secret: String(data.get("secret")), subscriptionUid: subscriptionUid || null });
    form.reset();
    setAdded(true);
  }

  return (
    <Card
      title="Signing secrets"
      description="Every active secret is accepted, so a rotation loses nothing: add the new secret, let RxScale switch, watch “last matched” move to it, then retire the old one. Secrets from RXSCALE_SIGNING_SECRETS are accepted too and are not listed here."
    >
      {secrets.isError ? <Alert tone="error">{secrets.error.message}</Alert> : null}
      <Table label="Signing secrets">
        <TableHead>
          <TableHeaderCell>Label</TableHeaderCell>
          <TableHeaderCell>Secret</TableHeaderCell>
          <TableHeaderCell>Subscription</TableHeaderCell>
          <TableHeaderCell>Created</TableHeaderCell>
          <TableHeaderCell>Last matched</TableHeaderCell>
          <TableHeaderCell label="Actions" />
        </TableHead>
        <TableBody>
          {secrets.data?.map((secret) => (
            <TableRow key={secret.id} data-secret-label={secret.label}>
              <TableCell>{secret.label}</TableCell>
              <TableCell className="font-mono">{secret.hint}</TableCell>
              <TableCell className="font-mono text-xs">{secret.subscriptionUid ?? "—"}</TableCell>
              <TableCell><Time value={secret.createdAt} /></TableCell>
              <TableCell>{secret.lastMatchedAt ? <Time value={secret.lastMatchedAt} /> : "never"}</TableCell>
              <TableCell className="text-right">
                {secret.isActive ? (
                  <ConfirmButton
                    disabled={retire.isPending}
                    title={`Retire the signing secret ${secret.label}?`}
                    description={`Deliveries signed with ${secret.hint} are refused from now on. ${secret.lastMatchedAt ? `It last matched a delivery at ${formatTimestamp(secret.lastMatchedAt)}.` : "It has never matched a delivery."} A retired secret cannot be reactivated; add it again if needed.`}
                    confirmLabel="Retire secret"
                    onConfirm={() => retire.mutateAsync(secret.id)}
                  >
                    Retire {secret.label}
                  </ConfirmButton>
                ) : (
                  <span className="text-slate-500">Retired {secret.retiredAt ? <Time value={secret.retiredAt} /> : ""}</span>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {secrets.data?.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">No stored secrets. Subscribing through RxWatch captures them automatically.</p> : null}
      <form onSubmit={onAdd} className="mt-6 grid gap-3 md:grid-cols-4 md:items-end" aria-label="Add signing secret">
        <TextField label="Secret label" name="label" required maxLength={80} placeholder="e.g. rotation 2026-12" />
        <TextField label="Signing secret" name="secret" type="password" required autoComplete="off" placeholder="whsec_…" />
        <TextField label="Subscription uid (optional)" name="subscriptionUid" placeholder="ns-…" />
        <Button type="submit" disabled={add.isPending}>
          Add secret
        </Button>
      </form>
      <div className="mt-3 space-y-2">
        {added ? <Alert tone="success">Secret added. Deliveries signed with it are accepted from now on.</Alert> : null}
        {add.isError ? <Alert tone="error">{add.error.message}</Alert> : null}
        {retire.isError ? <Alert tone="error">{retire.error.message}</Alert> : null}
      </div>
    </Card>
  );
}
