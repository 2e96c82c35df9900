"use client";

import { useState, type FormEvent } from "react";
import { ROLES, roleSchema } from "@/lib/roles";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Time } from "@/components/time";
import { SelectField, TextField } from "@/components/ui/field";
import { useCreatePasswordResetLink, useCreateUser, useRevokeUserSessions, useUpdateUser, useUsers } from "@/components/queries/accounts";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";

export function UsersPanel() {
  const users = useUsers();
  const createUser = useCreateUser();
  const updateUser = useUpdateUser();
  const revokeSessions = useRevokeUserSessions();
  const createResetLink = useCreatePasswordResetLink();
  const [revokedNotice, setRevokedNotice] = useState<string | null>(null);
  const [resetLink, setResetLink] = useState<{ email: string; url: string; expiresAt: string } | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setFormError(null);
    try {
      await createUser.mutateAsync({
        email: String(data.get("email")),
        name: String(data.get("name") || "") || undefined,
        role: roleSchema.parse(data.get("role")),
        password: String(data.get("password")),
      });
      form.reset();
    } catch (error) {
      setFormError(error instanceof Error ? error.message : "Could not create the user.");
    }
  }

  return (
    <Card title="Users" description="Staff watch orders; support also reads raw events and failures; admins also manage settings, users and tokens.">
      {users.isError ? <Alert tone="error">{users.error.message}</Alert> : null}
      {updateUser.isError ? <Alert tone="error">{updateUser.error.message}</Alert> : null}
      {revokeSessions.isError ? <Alert tone="error">{revokeSessions.error.message}</Alert> : null}
      {revokedNotice ? <Alert tone="success">{revokedNotice}</Alert> : null}
      {createResetLink.isError ? <Alert tone="error">{createResetLink.error.message}</Alert> : null}
      {resetLink ? (
        <div className="mb-4 space-y-2" data-testid="password-reset-link">
          <Alert tone="success">
            Send this link to {resetLink.email} yourself (chat, phone). It works once, until <Time value={resetLink.expiresAt} />, and is shown only now. Their current password keeps working until they use it.
          </Alert>
          <code className="block break-all rounded bg-slate-100 p-2 text-sm dark:bg-slate-800">{resetLink.url}</code>
          <CopyButton text={resetLink.url} label="Copy link" />
        </div>
      ) : null}
      <Table>
        <TableHead>
          <TableHeaderCell>Email</TableHeaderCell>
          <TableHeaderCell>Name</TableHeaderCell>
          <TableHeaderCell>Role</TableHeaderCell>
          <TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell>Last sign-in</TableHeaderCell>
          <TableHeaderCell label="Actions" />
        </TableHead>
        <TableBody>
          {users.data?.map((user) => (
            <TableRow key={user.id}>
              <TableCell>{user.email}</TableCell>
              <TableCell>{user.name}</TableCell>
              <TableCell>
                <select
                  aria-label={`Role of ${user.email}`}
                  value={user.role}
                  className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950"
                  onChange={(event) => updateUser.mutate({ id: user.id, change: { role: roleSchema.parse(event.target.value) } })}
                >
                  {ROLES.map((role) => (
                    <option key={role} value={role}>
                      {role}
                    </option>
                  ))}
                </select>
              </TableCell>
              <TableCell>{user.disabled ? "Disabled" : "Active"}</TableCell>
              <TableCell>{user.lastSignInAt ? <Time value={user.lastSignInAt} /> : "never"}</TableCell>
              <TableCell className="flex flex-wrap justify-end gap-2">
                <ConfirmButton
                  variant="secondary"
                  disabled={createResetLink.isPending}
                  title={`Reset the password of ${user.email}?`}
                  description="You get a one-time link to send them; with it they choose a new password, which ends all their sessions. Their current password works until then. Making a new link cancels an earlier one."
                  confirmLabel="Make reset link"
                  onConfirm={async () => {
                    setResetLink(null);
                    const link = await createResetLink.mutateAsync(user.id);
                    setResetLink({ email: user.email, url: `${window.location.origin}${link.path}`, expiresAt: link.expiresAt });
                  }}
                >
                  {`Reset password of ${user.email}`}
                </ConfirmButton>
                <ConfirmButton
                  variant="secondary"
                  disabled={revokeSessions.isPending}
                  title={`End every session of ${user.email}?`}
                  description="They are signed out on every device and browser at once and must sign in again. Their account stays active."
                  confirmLabel="End sessions"
                  onConfirm={async () => {
                    setRevokedNotice(null);
                    const result = await revokeSessions.mutateAsync(user.id);
                    setRevokedNotice(`Signed ${user.email} out everywhere (${result.sessions} session${result.sessions === 1 ? "" : "s"} ended).`);
                  }}
                >
                  {`End sessions of ${user.email}`}
                </ConfirmButton>
                {user.disabled ? (
                  <Button variant="secondary" onClick={() => updateUser.mutate({ id: user.id, change: { disabled: false } })}>
                    {`Enable ${user.email}`}
                  </Button>
                ) : (
                  <ConfirmButton
                    title={`Disable ${user.email}?`}
                    description="They are signed out everywhere and cannot sign in until an admin enables the account again. Nothing they did is removed."
                    confirmLabel="Disable user"
                    onConfirm={() => updateUser.mutateAsync({ id: user.id, change: { disabled: true } })}
                  >
                    {`Disable ${user.email}`}
                  </ConfirmButton>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <form onSubmit={onCreate} className="mt-6 grid gap-3 md:grid-cols-5 md:items-end" aria-label="Add user">
        <TextField label="Email" name="email" type="email" required autoComplete="off" />
        <TextField label="Name" name="name" autoComplete="off" />
        <SelectField label="Role" name="role" defaultValue="staff">
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </SelectField>
        <TextField label="Initial password" name="password" type="password" required autoComplete="new-password" minLength={12} />
        <Button type="submit" disabled={createUser.isPending}>
          Add user
        </Button>
      </form>
      {formError ? (
        <div className="mt-3">
          <Alert tone="error">{formError}</Alert>
        </div>
      ) : null}
    </Card>
  );
}
