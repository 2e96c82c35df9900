"use client";

import { useState } from "react";
import { Button, type ButtonVariant } from "./button";

type CopyState = "idle" | "copied" | "refused";

/** Copies `text` to the clipboard and says whether it worked (browsers refuse outside secure contexts). */
export function CopyButton({ text, label = "Copy", variant = "secondary" }: { text: string; label?: string; variant?: ButtonVariant }) {
  const [state, setState] = useState<CopyState>("idle");
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button
        variant={variant}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setState("copied");
          } catch {
            setState("refused");
          }
        }}
      >
        {label}
      </Button>
      <span role="status" className="text-sm text-slate-600 dark:text-slate-400">
        {state === "copied" ? "Copied." : state === "refused" ? "The browser refused the clipboard; select the text instead." : null}
      </span>
    </span>
  );
}
