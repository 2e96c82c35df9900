"use client";

import { useState } from "react";
import { THEME_COOKIE, THEMES, toTheme, type Theme } from "@/lib/theme";
import { Field } from "@/components/ui/field";

/** Stores the choice in a cookie so the server renders the right theme next time. */
export function ThemeSwitch({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  return (
    <Field label="Theme" isLabelHidden fieldClassName="flex items-center gap-2 text-sm">
      {(control) => (
        <select
          {...control}
          value={theme}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
          onChange={(event) => {
            const next = toTheme(event.target.value);
            setTheme(next);
            document.cookie = `${THEME_COOKIE}=${next}; path=/; max-age=31536000; samesite=lax`;
            document.documentElement.classList.remove(...THEMES);
            document.documentElement.classList.add(next);
            document.documentElement.dataset.theme = next;
          }}
        >
          {THEMES.map((value) => (
            <option key={value} value={value}>
              {value === "system" ? "System theme" : value === "light" ? "Light theme" : "Dark theme"}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
