"use client";

import { useState, type FormEvent } from "react";
import { API_TOKEN_EXPIRY_CHOICES } from "@/lib/accounts";
import { ROLES, roleSchema } from "@/lib/roles";
import { Time } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { SelectField, TextField } from "@/components/ui/field";
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from "@/components/queries/accounts";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";

export function ApiTokensPanel() {
  const tokens = useApiTokens();
  const createToken = useCreateApiToken();
  const revokeToken = useRevokeApiToken();
  const [secret, setSecret] = useState<string | null>(null);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const expiresInDays = Number(data.get("expiresInDays"));
    const created = await createToken.mutateAsync({ name: String(data.get("name")), role: roleSchema.parse(data.get("role")), expiresInDays: expiresInDays > 0 ? expiresInDays : null });
    setSecret(created.secret);
    form.reset();
  }

  return (
    <Card title="API tokens" description="For scripts and monitoring: send as `Authorization: Bearer <token>`. A token has a role like a user.">
      {secret ? (
        <div className="mb-4 space-y-2">
          <Alert tone="success">Copy this token now. It is shown only once.</Alert>
          <code data-testid="new-token" className="block break-all rounded bg-slate-100 p-2 text-sm dark:bg-slate-800">
            {secret}
          </code>
          <CopyButton text={secret} label="Copy token" />
        </div>
      ) : null}
      {tokens.isError ? <Alert tone="error">{tokens.error.message}</Alert> : null}
      {createToken.isError ? <Alert tone="error">{createToken.error.message}</Alert> : null}
      {tokens.data && tokens.data.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">No tokens yet.</p> : null}
      {tokens.data && tokens.data.length > 0 ? (
        <Table>
          <TableHead>
            <TableHeaderCell>Name</TableHeaderCell>
            <TableHeaderCell>Token</TableHeaderCell>
            <TableHeaderCell>Role</TableHeaderCell>
            <TableHeaderCell>Last used</TableHeaderCell>
            <TableHeaderCell>Expires</TableHeaderCell>
            <TableHeaderCell label="Actions" />
          </TableHead>
          <TableBody>
            {tokens.data.map((token) => (
              <TableRow key={token.id} data-token-name={token.name}>
                <TableCell>{token.name}</TableCell>
                <TableCell className="font-mono">{token.prefix}…</TableCell>
                <TableCell>{token.role}</TableCell>
                <TableCell>{token.lastUsedAt ? <Time value={token.lastUsedAt} /> : "never"}</TableCell>
                <TableCell>
                  {token.expiresAt ? (
                    <>
                      {token.expired ? "expired " : null}
                      <Time value={token.expiresAt} />
                    </>
                  ) : (
                    "never"
                  )}
                </TableCell>
                <TableCell className="text-right">
                  {token.revoked ? (
                    <span className="text-slate-500">Revoked</span>
                  ) : (
                    <ConfirmButton
                      title={`Revoke the token ${token.name}?`}
                      description={`Scripts using ${token.prefix}… get 401 from their next request. A revoked token cannot be restored; create a new one if it is still needed.`}
                      confirmLabel="Revoke token"
                      onConfirm={() => revokeToken.mutateAsync(token.id)}
                    >
                      Revoke {token.name}
                    </ConfirmButton>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      <form onSubmit={onCreate} className="mt-6 grid gap-3 md:grid-cols-4 md:items-end" aria-label="Create API token">
        <TextField label="Token name" name="name" required maxLength={80} />
        <SelectField label="Token role" name="role" defaultValue="staff">
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </SelectField>
        <SelectField label="Expires after" name="expiresInDays" defaultValue="90">
          {API_TOKEN_EXPIRY_CHOICES.map((choice) => (
            <option key={choice.days} value={choice.days}>
              {choice.label}
            </option>
          ))}
        </SelectField>
        <Button type="submit" disabled={createToken.isPending}>
          Create token
        </Button>
      </form>
    </Card>
  );
}
