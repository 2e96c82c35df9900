"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ReasonDialog } from "./personal-data";

/** The error message of an error envelope, else a plain one. */
async function problemOf(response: Response): Promise<string> {
  try {
    const body: unknown = await response.json();
    const error = typeof body === "object" && body !== null ? Reflect.get(body, "error") : null;
    const message = typeof error === "object" && error !== null ? Reflect.get(error, "message") : null;
    if (typeof message === "string") return message;
  } catch {
    // Not an envelope; fall through.
  }
  return `RxWatch answered ${response.status}.`;
}

/**
 * Admins only: this view's NDJSON with unmasked bodies, after a stated reason
 * (audited before the first row). Sent as a POST so the reason stays out of
 * URLs and logs; the file is handed to the browser from memory.
 */
export function UnmaskedExport({ filters }: { filters: Record<string, string> }) {
  const [isAsking, setIsAsking] = useState(false);
  const [isPending, setIsPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function download(reason: string) {
    setIsPending(true);
    setError(null);
    try {
      const response = await fetch("/api/deliveries/export", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ reason, filters: { ...filters, format: "ndjson" } }),
      });
      if (!response.ok) {
        setError(await problemOf(response));
        return;
      }
      const filename = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "rxwatch-deliveries-unmasked.ndjson";
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(document.createElement("a"), { href: url, download: filename });
      link.click();
      URL.revokeObjectURL(url);
      setIsAsking(false);
    } catch {
      setError("The export could not be downloaded; try again.");
    } finally {
      setIsPending(false);
    }
  }

  return (
    <>
      <Button variant="danger" onClick={() => setIsAsking(true)}>
        Export unmasked…
      </Button>
      {isAsking ? (
        <ReasonDialog
          title="Export with personal data"
          explanation="The file will hold every matching delivery's body unmasked: patient names, addresses and medications. The export and your reason are kept in the audit log with your name. Store the file as carefully as the database."
          submitLabel="Export unmasked"
          isPending={isPending}
          error={error}
          onSubmit={(reason) => void download(reason)}
          onClose={() => setIsAsking(false)}
        />
      ) : null}
    </>
  );
}
