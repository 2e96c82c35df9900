"use client";

import { useQueryErrorResetBoundary } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { ApiError } from "@/components/queries/api-fetch";

/** What a segment's error.tsx receives from Next.js. */
export interface RouteErrorProps {
  error: Error & { digest?: string };
  reset: () => void;
}

/**
 * How a person quotes the failure to whoever runs RxWatch: an API error's
 * request id (the server logged it under that id), or for a failed server
 * render Next.js's digest (logged next to the request id by instrumentation.ts).
 */
function referenceOf(error: RouteErrorProps["error"]): { label: string; value: string } | null {
  if (error instanceof ApiError && error.requestId) return { label: "Request id", value: error.requestId };
  if (error.digest) return { label: "Error digest", value: error.digest };
  return null;
}

/**
 * The error view of a dashboard segment: what failed, a Retry that renders
 * the segment again (and lets failed queries fetch again instead of
 * rethrowing their cached error), and the reference to quote.
 */
export function RouteError({ error, reset, what }: RouteErrorProps & { what: string }) {
  const queries = useQueryErrorResetBoundary();
  const reference = referenceOf(error);
  // API messages are written for people; anything else may be an internal detail (production hides those anyway).
  const message = error instanceof ApiError ? error.message : "Something went wrong on our side.";

  return (
    <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-5 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
      <h1 className="text-lg font-semibold">Could not show {what}</h1>
      <p className="mt-1 text-sm">{message}</p>
      {reference ? (
        <p className="mt-3 text-sm">
          {reference.label}: <code className="select-all rounded bg-white/70 px-1.5 py-0.5 font-mono text-xs dark:bg-black/30" data-testid="error-reference">{reference.value}</code>
          <span className="block text-xs opacity-80">Quote it when you report the problem: it finds the server&apos;s log lines.</span>
        </p>
      ) : null}
      <Button
        className="mt-4"
        onClick={() => {
          queries.reset();
          reset();
        }}
      >
        Retry
      </Button>
    </div>
  );
}
