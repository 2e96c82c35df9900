"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { PERSONAL_DATA_REASON_MAX_CHARS, personalDataReasonSchema, type DeliveryBodyDto, type PersonalDataDto } from "@/lib/deliveries";
import type { RedactionCategory } from "@/lib/redaction";
import { Time } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useRefreshDelivery, useRevealDelivery } from "@/components/queries/deliveries";
import { DeliveryBody } from "./delivery-body";
import { TextAreaField } from "@/components/ui/field";

const CATEGORY_LABEL: Record<RedactionCategory, string> = {
  patient_id: "patient ids",
  name: "names",
  contact: "contact details",
  birth_date: "birth dates",
  address: "addresses",
  medication: "medications",
  prescription_file: "prescription files",
  doctor: "doctors",
  appointment: "appointments",
  free_text: "free text",
  unlisted: "unlisted fields",
  unparsed: "the whole body (not JSON)",
};

function categoriesOf(personalData: PersonalDataDto): string {
  return [...new Set(personalData.maskedPaths.map((entry) => CATEGORY_LABEL[entry.category]))].join(", ");
}

/** How often an ended reveal asks for the masked body again while the server still returns it unmasked. */
const REMASK_RETRY_MS = 5_000;

function useSecondsLeft(until: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const tick = () => setNow(Date.now());
    // At once too: `now` may date from long before this reveal.
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [until]);
  return until === null ? null : Math.max(0, Math.ceil((Date.parse(until) - now) / 1000));
}

function formatCountdown(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * Asks why before personal data is shown. A native modal dialog: focus stays
 * inside it and Escape closes it. The reason is checked here with the
 * server's own schema, then handed to `onSubmit`.
 */
export function ReasonDialog({
  title,
  explanation,
  submitLabel,
  isPending,
  error,
  onSubmit,
  onClose,
}: {
  title: string;
  explanation: string;
  submitLabel: string;
  isPending: boolean;
  error: string | null;
  onSubmit: (reason: string) => void;
  onClose: () => void;
}) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    dialog?.showModal();
    return () => dialog?.close();
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = personalDataReasonSchema.safeParse(reason);
    if (!parsed.success) {
      setProblem(parsed.error.issues[0]?.message ?? "Say why you need to see it.");
      return;
    }
    setProblem(null);
    onSubmit(parsed.data);
  }

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      className="m-auto w-full max-w-md rounded-lg border border-slate-200 bg-white p-5 text-slate-900 shadow-2xl backdrop:bg-slate-950/50 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100"
    >
      <form onSubmit={submit} noValidate className="space-y-3">
        <h3 id={titleId} className="text-base font-semibold">
          {title}
        </h3>
        <p className="text-sm text-slate-600 dark:text-slate-400">{explanation}</p>
        <TextAreaField
          label="Reason"
          error={problem}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          maxLength={PERSONAL_DATA_REASON_MAX_CHARS}
          rows={3}
          placeholder="e.g. Ticket 4711: patient asks where the parcel went"
        />
        {error ? <Alert tone="error">{error}</Alert> : null}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={isPending}>
            {isPending ? "Working…" : submitLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}

function RevealDialog({ deliveryId, onClose }: { deliveryId: string; onClose: () => void }) {
  const reveal = useRevealDelivery(deliveryId);
  return (
    <ReasonDialog
      title="Reveal personal data"
      explanation="This shows the patient's data in this delivery to you alone, for a limited time. Your reason is kept in the audit log with your name."
      submitLabel="Reveal"
      isPending={reveal.isPending}
      error={reveal.isError ? reveal.error.message : null}
      onSubmit={(reason) => reveal.mutate(reason, { onSuccess: onClose })}
      onClose={onClose}
    />
  );
}

/**
 * A delivery's body with its personal-data state above it: what is masked and
 * the reveal, or, while revealed, how long is left. When the grant ends the
 * body is hidden at once and the detail loaded again, masked (the cached copy
 * is unmasked, so it must not be shown a moment longer).
 */
export function BodyWithPersonalData({ deliveryId, body, personalData }: { deliveryId: string; body: DeliveryBodyDto; personalData: PersonalDataDto }) {
  const [isAsking, setIsAsking] = useState(false);
  const secondsLeft = useSecondsLeft(personalData.revealExpiresAt);
  const refresh = useRefreshDelivery(deliveryId);
  const isExpired = secondsLeft === 0;

  useEffect(() => {
    if (!isExpired) return;
    void refresh();
    // Should this browser's clock run ahead of the server's, the grant is still in force there: ask again until it is not.
    const retry = setInterval(() => void refresh(), REMASK_RETRY_MS);
    return () => clearInterval(retry);
  }, [isExpired, refresh]);

  let bar = null;
  if (personalData.revealExpiresAt !== null) {
    bar = (
      <Alert tone="info">
        {isExpired ? (
          "The reveal has ended; masking again…"
        ) : (
          <>
            Personal data revealed to you until <Time value={personalData.revealExpiresAt} /> (<span data-testid="reveal-countdown">{formatCountdown(secondsLeft ?? 0)}</span> left). The reveal is in the
            audit log.
          </>
        )}
      </Alert>
    );
  } else if (personalData.masked) {
    bar = (
      <div className="flex flex-wrap items-center gap-2">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Personal data is masked ({personalData.maskedPaths.length} field{personalData.maskedPaths.length === 1 ? "" : "s"}: {categoriesOf(personalData)}).
        </p>
        {personalData.canReveal ? (
          <Button variant="secondary" onClick={() => setIsAsking(true)}>
            Reveal personal data
          </Button>
        ) : null}
        {isAsking ? <RevealDialog deliveryId={deliveryId} onClose={() => setIsAsking(false)} /> : null}
      </div>
    );
  }
  return (
    <div className="space-y-3">
      {bar}
      {isExpired ? null : <DeliveryBody body={body} isMasked={personalData.masked} />}
    </div>
  );
}
