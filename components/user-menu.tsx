"use client";

import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { authClient } from "@/components/auth-client";
import { useSignOutEverywhere } from "@/components/queries/accounts";
import { SIGNED_OUT_PARAM, type SignedOutReason } from "@/lib/accounts";

/**
 * The signed-in person's own actions, folded behind their name so that
 * "End all my sessions" is not one click away from the navigation.
 */
export function UserMenu({ name, role, children }: { name: string; role: string; children?: ReactNode }) {
  const [isOpen, setOpen] = useState(false);
  const [isPending, setPending] = useState(false);
  const panelId = useId();
  const container = useRef<HTMLDivElement>(null);
  const router = useRouter();
  const queryClient = useQueryClient();
  const signOutEverywhere = useSignOutEverywhere();

  useEffect(() => {
    if (!isOpen) return;
    function onPointerDown(event: PointerEvent) {
      // A click inside the confirm dialog (a top-layer child of the menu) keeps the menu open.
      if (event.target instanceof Node && container.current?.contains(event.target)) return;
      setOpen(false);
    }
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [isOpen]);

  function leave(reason: SignedOutReason) {
    // Nothing the previous user loaded may stay in memory for the next one.
    queryClient.clear();
    router.replace(`/sign-in?${SIGNED_OUT_PARAM}=${reason}`);
    router.refresh();
  }

  return (
    <div
      ref={container}
      className="relative"
      onKeyDown={(event) => {
        if (event.key === "Escape" && isOpen && !event.defaultPrevented) setOpen(false);
      }}
    >
      <button
        type="button"
        aria-expanded={isOpen}
        aria-controls={panelId}
        onClick={() => setOpen(!isOpen)}
        data-testid="signed-in-user"
        className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-slate-200 dark:hover:bg-slate-800"
      >
        <span className="sr-only">Account menu: </span>
        <span className="hidden max-w-40 truncate font-medium sm:inline">{name}</span>
        <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs uppercase text-slate-700 dark:bg-slate-800 dark:text-slate-300">{role}</span>
        <span aria-hidden="true">▾</span>
      </button>
      <div
        id={panelId}
        hidden={!isOpen}
        className="absolute right-0 z-20 mt-1 w-64 space-y-2 rounded-md border border-slate-200 bg-white p-3 shadow-lg dark:border-slate-700 dark:bg-slate-900"
      >
        {children}
        <Button
          variant="secondary"
          className="w-full"
          disabled={isPending}
          onClick={async () => {
            setPending(true);
            await authClient.signOut();
            leave("here");
          }}
        >
          Sign out
        </Button>
        <ConfirmButton
          variant="ghost"
          className="w-full"
          disabled={isPending || signOutEverywhere.isPending}
          title="End all your sessions?"
          description="You are signed out on every device and browser, this one included, and must sign in again everywhere."
          confirmLabel="End all my sessions"
          onConfirm={async () => {
            await signOutEverywhere.mutateAsync();
            leave("everywhere");
          }}
        >
          End all my sessions
        </ConfirmButton>
      </div>
    </div>
  );
}
