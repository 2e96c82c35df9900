import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/sign-in-form";
import { findPageViewer } from "@/server/auth/page-viewer";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await findPageViewer()) redirect("/orders");
  const { next } = await searchParams;
  // Only same-site paths, so the parameter cannot send people elsewhere.
  const target = typeof next === "string" && next.startsWith("/") && !next.startsWith("//") ? next : "/orders";
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="mb-1 text-xl font-semibold">
          Sign in to Rx<span className="text-sky-700 dark:text-sky-400">Watch</span>
        </h1>
        <p className="mb-6 text-sm text-slate-600 dark:text-slate-400">Accounts are created by an admin.</p>
        <SignInForm next={target} />
      </div>
    </main>
  );
}
