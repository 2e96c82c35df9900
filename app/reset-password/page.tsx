import type { Metadata } from "next";
import { PasswordResetForm } from "@/components/password-reset-form";

export const metadata: Metadata = { title: "Choose a new password" };

export default function ResetPasswordPage() {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="mb-1 text-xl font-semibold">Choose a new password</h1>
        <p className="mb-6 text-sm text-slate-600 dark:text-slate-400">An admin sent you this one-time link. Setting a password signs you out everywhere; then sign in with the new one.</p>
        <PasswordResetForm />
      </div>
    </main>
  );
}
