"use client";

import { useState, type ReactNode } from "react";
import type { DeliveryBodyDto, NotDisplayableReason } from "@/lib/deliveries";
import { Button } from "@/components/ui/button";

function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString("en-US")} byte${bytes === 1 ? "" : "s"}`;
}

const KIND_LABEL: Record<DeliveryBodyDto["kind"], string> = { json: "JSON", text: "text (not JSON)", binary: "not UTF-8", none: "not stored", not_displayable: "not displayable", sample: "sample" };

const NOT_DISPLAYABLE_BECAUSE: Record<NotDisplayableReason, string> = {
  too_deep: "it nests deeper than any RxScale body does",
  too_large: "its text would be too large to show",
  failed: "rendering it failed",
};

/** The server's placeholders ("‹name›", "‹key 1›"), so masked fields stand out. */
const PLACEHOLDER = /(‹[a-z_]+(?: \d+)?›)/;

function withMaskedFieldsMarked(text: string): ReactNode[] {
  return text.split(PLACEHOLDER).map((part, index) =>
    index % 2 === 1 ? (
      <mark key={index} data-masked="" title="Masked personal data" className="rounded bg-amber-100 px-0.5 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">
        {part}
      </mark>
    ) : (
      part
    ),
  );
}

/**
 * The one place a raw body is rendered. Bodies carry patient data: the server
 * decides what this receives (masked unless this viewer revealed it, issue 7),
 * and nothing here reads, logs or re-sends it. Masked fields are marked.
 */
export function DeliveryBody({ body, isMasked }: { body: DeliveryBodyDto; isMasked: boolean }) {
  const [copyState, setCopyState] = useState<"idle" | "copied" | "failed">("idle");
  const copyable = body.kind === "json" || body.kind === "text" || body.kind === "sample" ? body.text : body.kind === "binary" ? body.hexPreview : null;

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopyState("copied");
    } catch {
      setCopyState("failed");
    }
  }

  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center gap-2 text-sm">
        <span className="text-slate-600 dark:text-slate-400">
          {body.kind === "sample" ? `first ${formatBytes(body.sampleBytes)} of ${formatBytes(body.size)}` : formatBytes(body.size)} · {KIND_LABEL[body.kind]}
        </span>
        {copyable !== null ? (
          <span className="ml-auto flex items-center gap-2">
            {copyState !== "idle" ? (
              <span role="status" className="text-xs text-slate-600 dark:text-slate-400">
                {copyState === "copied" ? "Copied." : "The browser refused the clipboard; select the text instead."}
              </span>
            ) : null}
            <Button variant="secondary" onClick={() => void copy(copyable)}>
              {body.kind === "sample" ? "Copy sample" : "Copy body"}
            </Button>
          </span>
        ) : null}
      </div>
      {body.kind === "not_displayable" ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          This body is stored but not displayable: {NOT_DISPLAYABLE_BECAUSE[body.reason]}. SHA-256 <code className="break-all font-mono text-xs">{body.sha256}</code>.
        </p>
      ) : body.kind === "none" ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {body.reason === "not_read"
            ? "RxWatch refused this request before reading its body (content type, encoding or size), so none was kept."
            : "The body is no longer stored."}
        </p>
      ) : (
        <>
          {body.kind === "sample" ? (
            <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
              {isMasked
                ? "This request had no valid signature, so only a sample of its body was kept; a cut body cannot be masked field by field, so it is masked as a whole:"
                : "This request had no valid signature, so only a sample of its body was kept, as text:"}
            </p>
          ) : null}
          {body.kind === "binary" ? (
            <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
              {isMasked ? "The body is not UTF-8 text, so it is masked as a whole:" : `The body is not UTF-8 text; the first ${formatBytes(body.previewBytes)} as hexadecimal:`}
            </p>
          ) : null}
          <pre
            aria-label="Raw body"
            tabIndex={0}
            className="max-h-[28rem] overflow-auto whitespace-pre rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs leading-relaxed dark:border-slate-800 dark:bg-slate-950"
          >
            {isMasked ? withMaskedFieldsMarked(body.kind === "binary" ? body.hexPreview : body.text) : body.kind === "binary" ? body.hexPreview : body.text}
          </pre>
        </>
      )}
    </div>
  );
}
