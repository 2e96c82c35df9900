"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { FIRST_RUN_DISMISSED_COOKIE, FIRST_RUN_STEPS, type FirstRunProgress } from "@/lib/first-run";
import { Button } from "@/components/ui/button";

/** What an admin does first, each step ticked from the server's real state; dismissing it is remembered in this browser. */
export function FirstRunChecklist({ progress }: { progress: FirstRunProgress }) {
  const router = useRouter();
  const done = FIRST_RUN_STEPS.filter((step) => progress[step.key]).length;
  return (
    <section aria-label="Getting started" className="mb-6 rounded-lg border border-sky-200 bg-sky-50 p-4 text-sm dark:border-sky-900 dark:bg-sky-950">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h2 className="font-semibold">
          Getting started <span className="font-normal text-slate-600 dark:text-slate-400">({done} of {FIRST_RUN_STEPS.length} done)</span>
        </h2>
        <Button
          variant="ghost"
          className="py-1"
          onClick={() => {
            document.cookie = `${FIRST_RUN_DISMISSED_COOKIE}=1; path=/; max-age=31536000; samesite=lax`;
            router.refresh();
          }}
        >
          Dismiss
        </Button>
      </div>
      <ol className="mt-2 grid gap-2 sm:grid-cols-2 lg:grid-cols-4">
        {FIRST_RUN_STEPS.map((step) => {
          const isDone = progress[step.key];
          return (
            <li key={step.key} data-step={step.key} data-done={isDone} className="flex gap-2">
              <span aria-hidden="true" className={isDone ? "text-emerald-700 dark:text-emerald-400" : "text-slate-400"}>
                {isDone ? "✓" : "○"}
              </span>
              <span>
                <Link href={step.href} className={`font-medium hover:underline ${isDone ? "text-slate-500 line-through" : "text-sky-800 dark:text-sky-300"}`}>
                  {step.label}
                </Link>
                <span className="sr-only">{isDone ? " (done)" : " (to do)"}</span>
                <span className="block text-xs text-slate-600 dark:text-slate-400">{step.hint}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
