"use client";

import { useState, type FormEvent } from "react";
import { formatTimestamp } from "@/lib/format";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { useAddSigningSecret, useRetireSigningSecret, useSigningSecrets } from "@/components/queries/settings";

export function SigningSecretsPanel() {
  const secrets = useSigningSecrets();
  const add = useAddSigningSecret();
  const retire = useRetireSigningSecret();
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
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" aria-label="Signing secrets">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-2 pr-3">Label</th>
              <th className="py-2 pr-3">Secret</th>
              <th className="py-2 pr-3">Subscription</th>
              <th className="py-2 pr-3">Created</th>
              <th className="py-2 pr-3">Last matched</th>
              <th className="py-2" />
            </tr>
          </thead>
          <tbody>
            {secrets.data?.map((secret) => (
              <tr key={secret.id} className="border-t border-slate-200 dark:border-slate-800" data-secret-label={secret.label}>
                <td className="py-2 pr-3">{secret.label}</td>
                <td className="py-2 pr-3 font-mono">{secret.hint}</td>
                <td className="py-2 pr-3 font-mono text-xs">{secret.subscriptionUid ?? "—"}</td>
                <td className="py-2 pr-3">{formatTimestamp(secret.createdAt)}</td>
                <td className="py-2 pr-3">{secret.lastMatchedAt ? formatTimestamp(secret.lastMatchedAt) : "never"}</td>
                <td className="py-2 text-right">
                  {secret.isActive ? (
                    <Button variant="danger" disabled={retire.isPending} onClick={() => retire.mutate(secret.id)}>
                      Retire {secret.label}
                    </Button>
                  ) : (
                    <span className="text-slate-500">Retired {secret.retiredAt ? formatTimestamp(secret.retiredAt) : ""}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
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
