"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { authClient } from "@/components/auth-client";

/** The code RxWatch's lockout answers with (server/auth/sign-in.ts); its message says when to try again. */
const SIGN_IN_LOCKED_CODE = "SIGN_IN_LOCKED";

export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [isPending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await authClient.signIn.email({ email: String(data.get("email")), password: String(data.get("password")) });
    if (result.error) {
      setPending(false);
      setError(
        result.error.code === SIGN_IN_LOCKED_CODE && result.error.message
          ? result.error.message
          : result.error.status === 429
          ? "Too many sign-in attempts. Wait a minute and try again."
          : result.error.status === 403
            ? "This account is disabled. Ask an admin."
            : "Email or password is wrong.",
      );
      return;
    }
    // Checked again here: the form is the one that navigates, whoever renders it.
    router.replace(safeRedirectPath(next));
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Sign in">
      <TextField label="Email" name="email" type="email" autoComplete="username" required />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
      {error ? <Alert tone="error">{error}</Alert> : null}
      <Button type="submit" className="w-full" disabled={isPending}>
        {isPending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
