"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { attentionNoteSchema, MAX_ATTENTION_NOTE_CHARS, type AttentionItemDto } from "@/lib/attention";
import { STAGE_LABELS } from "@/lib/lifecycle";
import type { StatusAppearanceSettings } from "@/lib/settings";
import { Time } from "@/components/time";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { StatusBadge } from "@/components/orders/status-badge";
import { useAttentionQueue, useChangeAttention } from "@/components/queries/attention";

/** Snooze lengths offered; a length rather than a clock time, so no time zone can be misread. */
const SNOOZE_HOURS = [1, 4, 24, 72] as const;

function snoozeLabel(hours: number): string {
  return hours < 24 ? `${hours} hour${hours === 1 ? "" : "s"}` : `${hours / 24} day${hours === 24 ? "" : "s"}`;
}

function QueueItem({ item, appearance }: { item: AttentionItemDto; appearance: StatusAppearanceSettings }) {
  const change = useChangeAttention();
  const [isEditingNote, setEditingNote] = useState(false);
  const [noteError, setNoteError] = useState<string | null>(null);
  const { order, attention } = item;
  const name = order.shopOrderName ?? order.orderUid;
  const run = (action: Parameters<typeof change.mutateAsync>[0]["action"]) => change.mutateAsync({ orderUid: order.orderUid, action });

  function onNote(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get("note");
    const note = typeof value === "string" && value.trim() ? value.trim() : null;
    // The server checks the same rule; checking here too lets the person see which rule the note broke.
    const checked = attentionNoteSchema.nullable().safeParse(note);
    setNoteError(checked.success ? null : (checked.error.issues[0]?.message ?? "This note cannot be saved."));
    if (!checked.success) return;
    change.mutate({ orderUid: order.orderUid, action: { action: "note", note } }, { onSuccess: () => setEditingNote(false) });
  }

  return (
    <li aria-label={`Attention: ${name}`} className="space-y-2 border-t border-slate-200 p-3 first:border-t-0 dark:border-slate-800">
      <div className="flex flex-wrap items-center gap-2">
        <Link href={`/orders/${encodeURIComponent(order.orderUid)}`} className="font-medium text-sky-800 hover:underline dark:text-sky-300">
          {name}
        </Link>
        <StatusBadge status={order.status} appearance={appearance} />
        <span className="text-xs text-slate-500">{STAGE_LABELS[order.stage]}</span>
        {order.isStuck ? <span className="rounded bg-red-600 px-1.5 py-0.5 text-xs font-semibold text-white">Stuck</span> : null}
        <span className="text-xs text-slate-500">
          since <Time value={order.stageSince} />
        </span>
      </div>
      <div className="text-sm text-slate-700 dark:text-slate-300">
        {attention.ownerLabel ? <span>Claimed by {attention.isMine ? "you" : attention.ownerLabel}</span> : <span className="text-slate-500">Nobody has claimed it</span>}
        {item.isSnoozed && attention.snoozedUntil ? (
          <span>
            {" "}
            · Snoozed until <Time value={attention.snoozedUntil} />
          </span>
        ) : null}
      </div>
      {attention.note && !isEditingNote ? (
        <p className="rounded bg-slate-50 px-2 py-1 text-sm break-words dark:bg-slate-800" aria-label="Note">
          {attention.note} <span className="text-xs text-slate-500">— {attention.notedBy}</span>
        </p>
      ) : null}
      {isEditingNote ? (
        <form onSubmit={onNote} className="flex flex-wrap items-end gap-2">
          <TextField
            label="Note"
            name="note"
            defaultValue={attention.note ?? ""}
            maxLength={MAX_ATTENTION_NOTE_CHARS}
            hint="What was done or what it waits for. No patient data: no names, e-mail addresses or dates."
            error={noteError ?? undefined}
            className="w-96 max-w-full"
          />
          <Button type="submit" variant="secondary" disabled={change.isPending}>
            Save note
          </Button>
          <Button variant="ghost" onClick={() => setEditingNote(false)}>
            Cancel
          </Button>
        </form>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        {attention.isMine ? (
          <Button variant="secondary" disabled={change.isPending} onClick={() => void run({ action: "release" })}>
            Release
          </Button>
        ) : (
          <Button variant="secondary" disabled={change.isPending} onClick={() => void run({ action: "claim" })}>
            {attention.ownerLabel ? "Take over" : "Claim"}
          </Button>
        )}
        {isEditingNote ? null : (
          <Button variant="secondary" disabled={change.isPending} onClick={() => setEditingNote(true)}>
            {attention.note ? "Edit note" : "Add note"}
          </Button>
        )}
        {item.isSnoozed ? (
          <Button variant="secondary" disabled={change.isPending} onClick={() => void run({ action: "snooze", until: null })}>
            Wake up
          </Button>
        ) : (
          <SelectField
            label="Snooze"
            isLabelHidden
            value=""
            disabled={change.isPending}
            onChange={(event) => {
              const hours = Number(event.target.value);
              if (hours > 0) void run({ action: "snooze", until: new Date(Date.now() + hours * 3_600_000).toISOString() });
            }}
          >
            <option value="">Snooze…</option>
            {SNOOZE_HOURS.map((hours) => (
              <option key={hours} value={hours}>
                for {snoozeLabel(hours)}
              </option>
            ))}
          </SelectField>
        )}
        <ConfirmButton
          variant="primary"
          disabled={change.isPending}
          title={`Resolve ${name}?`}
          description="It leaves the queue until RxScale reports a new problem or it gets stuck again. Resolve it only once the problem is handled in RxScale."
          confirmLabel="Resolve"
          onConfirm={() => run({ action: "resolve" })}
        >
          Resolve
        </ConfirmButton>
      </div>
      {change.isError ? <Alert tone="error">{change.error.message}</Alert> : null}
    </li>
  );
}

/** Orders someone must look at (Needs attention or stuck): claim, note, snooze, resolve; refreshed live. */
export function AttentionQueue({ appearance }: { appearance: StatusAppearanceSettings }) {
  const queue = useAttentionQueue();
  const [isShowingSnoozed, setShowingSnoozed] = useState(false);
  if (queue.isError) return <Alert tone="error">{queue.error.message}</Alert>;
  if (!queue.data || queue.data.openCount + queue.data.snoozedCount === 0) return null;
  const { open, snoozed, openCount, snoozedCount } = queue.data;
  return (
    <section aria-labelledby="attention-queue-title" className="rounded-lg border border-amber-300 bg-white dark:border-amber-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center gap-2 border-b border-amber-200 bg-amber-50 px-3 py-2 dark:border-amber-900 dark:bg-amber-950">
        <h2 id="attention-queue-title" className="text-sm font-semibold">
          Attention queue <span className="tabular-nums">({openCount})</span>
        </h2>
        <span className="text-xs text-slate-600 dark:text-slate-400">Orders in Needs attention and stuck orders, longest waiting first.</span>
        {snoozedCount > 0 ? (
          <Button variant="ghost" className="ml-auto" onClick={() => setShowingSnoozed(!isShowingSnoozed)}>
            {isShowingSnoozed ? "Hide" : "Show"} snoozed ({snoozedCount})
          </Button>
        ) : null}
      </div>
      <ul className="max-h-[40vh] overflow-y-auto">
        {open.map((item) => (
          <QueueItem key={item.order.orderUid} item={item} appearance={appearance} />
        ))}
        {isShowingSnoozed ? snoozed.map((item) => <QueueItem key={item.order.orderUid} item={item} appearance={appearance} />) : null}
      </ul>
      {openCount > open.length ? <p className="border-t border-slate-200 px-3 py-2 text-xs text-slate-500 dark:border-slate-800">Showing the {open.length} longest waiting of {openCount}.</p> : null}
    </section>
  );
}
