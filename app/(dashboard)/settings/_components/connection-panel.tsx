"use client";

import { useState, type FormEvent } from "react";
import { RXSCALE_ENVIRONMENTS, rxscaleEnvironmentSchema, type ConnectionSettings } from "@/lib/settings";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { CheckboxField, SelectField, TextField } from "@/components/ui/field";
import { useCheckConnection, useConnection, useSaveConnection } from "@/components/queries/settings";

const ENVIRONMENT_LABELS = { production: "Production (api.rxscale.com)", sandbox: "Development / sandbox (api.rxscale-dev.com)", custom: "Custom base URL" } as const;

export function ConnectionPanel() {
  const connection = useConnection();
  const save = useSaveConnection();
  const check = useCheckConnection();
  const [environment, setEnvironment] = useState<ConnectionSettings["environment"] | null>(null);
  const [saved, setSaved] = useState(false);

  if (connection.isPending) return <Card title="RxScale connection"><Skeleton label="the RxScale connection" lines={4} /></Card>;
  if (connection.isError) return <Card title="RxScale connection"><Alert tone="error">{connection.error.message}</Alert></Card>;
  const view = connection.data;
  const current = environment ?? view.settings.environment;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === "string" && value.trim() ? value.trim() : null;
    };
    const apiKey = text("apiKey");
    await save.mutateAsync({
      settings: {
        environment: rxscaleEnvironmentSchema.parse(data.get("environment")),
        customBaseUrl: text("customBaseUrl"),
        webhookTargetUrl: text("webhookTargetUrl"),
        trailingSlash: data.get("trailingSlash") === "on",
        deleteUidPlacement: data.get("deleteUidPlacement") === "query" ? "query" : data.get("deleteUidPlacement") === "body" ? "body" : "path",
      },
      ...(apiKey ? { apiKey } : {}),
    });
    form.reset();
    setSaved(true);
  }

  return (
    <Card title="RxScale connection" description="Which RxScale RxWatch manages subscriptions at, with which Management API key, and where RxScale should deliver webhooks.">
      {view.isDemo ? (
        <div className="mb-4">
          <Alert tone="info">Demo mode: RxWatch talks to its built-in RxScale emulator. Enter your real API key and environment to connect RxScale; demo mode then ends.</Alert>
        </div>
      ) : null}
      <form onSubmit={onSubmit} className="grid gap-4 md:grid-cols-2" aria-label="RxScale connection">
        <SelectField label="Environment" name="environment" value={current} onChange={(event) => setEnvironment(rxscaleEnvironmentSchema.parse(event.target.value))}>
          {RXSCALE_ENVIRONMENTS.map((value) => (
            <option key={value} value={value}>
              {ENVIRONMENT_LABELS[value]}
            </option>
          ))}
        </SelectField>
        {current === "custom" ? <TextField label="Custom base URL" name="customBaseUrl" type="url" defaultValue={view.settings.customBaseUrl ?? ""} placeholder="https://rxscale.example/" required /> : <div />}
        <TextField
          label={view.apiKey.isSet ? `API key (stored, ends ${view.apiKey.hint ?? "…"}; leave empty to keep)` : "API key"}
          name="apiKey"
          type="password"
          autoComplete="off"
          placeholder={view.apiKey.isSet ? "••••••••" : "X-API-Key with notification_subscription:read/write"}
        />
        <TextField label="Webhook target URL (where RxScale delivers)" name="webhookTargetUrl" type="url" defaultValue={view.settings.webhookTargetUrl ?? ""} placeholder={view.effectiveTargetUrl} />
        <CheckboxField name="trailingSlash" defaultChecked={view.settings.trailingSlash} label="Paths end in “/” (as in RxScale's curl examples)" />
        <SelectField label="DELETE sends the subscription uid in" name="deleteUidPlacement" defaultValue={view.settings.deleteUidPlacement}>
          <option value="path">the path (/notification-subscriptions/uid)</option>
          <option value="query">the query (?uid=…)</option>
          <option value="body">a JSON body</option>
        </SelectField>
        <div className="flex flex-wrap items-center gap-2 md:col-span-2">
          <Button type="submit" disabled={save.isPending}>
            Save connection
          </Button>
          <Button variant="secondary" disabled={check.isPending || !view.apiKey.isSet} onClick={() => check.mutate()}>
            {check.isPending ? "Checking…" : "Check connection"}
          </Button>
          <span className="text-xs text-slate-500">RxScale will deliver to {view.effectiveTargetUrl}</span>
        </div>
      </form>
      <div className="mt-3 space-y-2">
        {!view.apiKey.isReadable ? <Alert tone="error">The stored API key cannot be decrypted (RXWATCH_SECRET_KEY changed). Enter it again.</Alert> : null}
        {saved ? <Alert tone="success">Connection saved.</Alert> : null}
        {save.isError ? <Alert tone="error">{save.error.message}</Alert> : null}
        {check.data ? <Alert tone={check.data.ok ? "success" : "error"}>{check.data.message}</Alert> : null}
        {check.isError ? <Alert tone="error">{check.error.message}</Alert> : null}
      </div>
    </Card>
  );
}
