import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/sign-in-form";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { Alert } from "@/components/ui/alert";
import { PASSWORD_RESET_DONE_PARAM, SIGNED_OUT_MESSAGES, SIGNED_OUT_PARAM, signedOutReasonSchema } from "@/lib/accounts";
import { findPageViewer } from "@/server/auth/page-viewer";
import { hasAnyUser } from "@/server/auth/users";
import { demoSignInHint } from "@/server/demo/demo-mode";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await findPageViewer()) redirect("/orders");
  const parameters = await searchParams;
  const { next } = parameters;
  const signedOut = signedOutReasonSchema.safeParse(parameters[SIGNED_OUT_PARAM]);
  // Only paths on this origin, so the parameter cannot send people elsewhere.
  const target = safeRedirectPath(next);
  const demoHint = await demoSignInHint();
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="mb-1 text-xl font-semibold">
          Sign in to Rx<span className="text-sky-700 dark:text-sky-400">Watch</span>
        </h1>
        <p className="mb-6 text-sm text-slate-600 dark:text-slate-400">Accounts are created by an admin.</p>
        {(await hasAnyUser()) ? null : (
          <div role="note" className="mb-6 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
            <p className="font-medium">This RxWatch has no users yet.</p>
            <p className="mt-1">Create the first admin on the server, then sign in here:</p>
            <code className="mt-2 block break-all rounded bg-white/70 p-2 text-xs dark:bg-black/40">npm run rxwatch -- user add --email you@example.com --role admin</code>
            <p className="mt-1">or start with RXWATCH_ADMIN_EMAIL and RXWATCH_ADMIN_PASSWORD set.</p>
          </div>
        )}
        {parameters[PASSWORD_RESET_DONE_PARAM] === "1" ? (
          <div className="mb-4">
            <Alert tone="success">Your new password is set. Sign in with it.</Alert>
          </div>
        ) : null}
        {demoHint ? (
          <div role="note" aria-label="Demo sign-in" className="mb-6 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
            <p className="font-medium">Demo mode</p>
            <p className="mt-1">
              Sign in as <code>{demoHint.email}</code>.{" "}
              {demoHint.passwordFile ? (
                <>
                  Its password is in <code className="break-all">{demoHint.passwordFile}</code> on the server (also printed once when RxWatch first started).
                </>
              ) : (
                "Its password was printed in the server output when RxWatch first started."
              )}
            </p>
          </div>
        ) : null}
        {signedOut.success ? (
          <div className="mb-4">
            <Alert tone="success">{SIGNED_OUT_MESSAGES[signedOut.data]}</Alert>
          </div>
        ) : null}
        <SignInForm next={target} />
      </div>
    </main>
  );
}
