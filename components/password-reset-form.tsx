"use client";

import { useState, useSyncExternalStore, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { PASSWORD_RESET_DONE_PARAM } from "@/lib/accounts";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { useCompletePasswordReset } from "@/components/queries/accounts";

/** The token travels in the URL fragment, so it never reaches a server or proxy log; only this page reads it. */
function subscribeToHash(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

export function PasswordResetForm() {
  const router = useRouter();
  const token = useSyncExternalStore(subscribeToHash, () => window.location.hash.slice(1), () => null);
  const complete = useCompletePasswordReset();
  const [mismatch, setMismatch] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!token) return;
    const data = new FormData(event.currentTarget);
    const password = String(data.get("password"));
    setMismatch(password !== String(data.get("repeat")));
    if (password !== String(data.get("repeat"))) return;
    await complete.mutateAsync({ token, password });
    router.replace(`/sign-in?${PASSWORD_RESET_DONE_PARAM}=1`);
  }

  if (token === "") return <Alert tone="error">This page needs the whole link the admin sent, including the part after “#”.</Alert>;
  return (
    <form onSubmit={(event) => void onSubmit(event).catch(() => undefined)} className="space-y-4" aria-label="Choose a new password">
      <TextField label="New password" name="password" type="password" autoComplete="new-password" required maxLength={128} />
      <TextField label="New password again" name="repeat" type="password" autoComplete="new-password" required maxLength={128} />
      {mismatch ? <Alert tone="error">The two passwords differ.</Alert> : null}
      {complete.isError ? <Alert tone="error">{complete.error.message}</Alert> : null}
      <Button type="submit" className="w-full" disabled={complete.isPending || token === null}>
        Set new password
      </Button>
    </form>
  );
}
