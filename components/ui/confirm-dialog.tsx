"use client";

import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { Button, type ButtonVariant } from "@/components/ui/button";

export type ConfirmDialogProps = {
  isOpen: boolean;
  /** The question, e.g. "Revoke the token monitoring?"; also the dialog's accessible name. */
  title: string;
  /** What will happen, in plain words, including whether it can be undone. */
  description: ReactNode;
  confirmLabel: string;
  isPending?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
};

/**
 * A modal question before a destructive action. The native <dialog> traps
 * focus, closes on Escape and gives focus back to the opener; Cancel has the
 * initial focus so Enter never destroys anything by accident.
 */
export function ConfirmDialog({ isOpen, title, description, confirmLabel, isPending = false, onConfirm, onCancel }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (isOpen && !element.open) element.showModal();
    if (!isOpen && element.open) element.close();
  }, [isOpen]);

  return (
    <dialog
      ref={dialog}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      {isOpen ? (
        <>
          <h2 id={titleId} className="text-base font-semibold">
            {title}
          </h2>
          <div id={descriptionId} className="mt-2 text-sm text-slate-700 dark:text-slate-300">
            {description}
          </div>
          <div className="mt-5 flex flex-wrap justify-end gap-2">
            <Button variant="secondary" autoFocus disabled={isPending} onClick={onCancel}>
              Cancel
            </Button>
            <Button variant="danger" disabled={isPending} onClick={onConfirm}>
              {isPending ? "Working…" : confirmLabel}
            </Button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}

/**
 * A button that asks first: opens a ConfirmDialog and runs `onConfirm` only
 * after the person confirms. The dialog closes once `onConfirm` settles.
 */
export function ConfirmButton({
  children,
  variant = "danger",
  disabled,
  className,
  buttonTitle,
  title,
  description,
  confirmLabel,
  onConfirm,
}: {
  children: ReactNode;
  variant?: ButtonVariant;
  disabled?: boolean;
  className?: string;
  buttonTitle?: string;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => unknown;
}) {
  const [isOpen, setOpen] = useState(false);
  const [isPending, setPending] = useState(false);

  async function confirm() {
    setPending(true);
    try {
      await onConfirm();
    } catch {
      // The caller shows the failure from its own mutation state.
    } finally {
      setPending(false);
      setOpen(false);
    }
  }

  return (
    <>
      <Button variant={variant} disabled={disabled} className={className} title={buttonTitle} onClick={() => setOpen(true)}>
        {children}
      </Button>
      <ConfirmDialog isOpen={isOpen} title={title} description={description} confirmLabel={confirmLabel} isPending={isPending} onConfirm={() => void confirm()} onCancel={() => setOpen(false)} />
    </>
  );
}
