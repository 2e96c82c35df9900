"use client";

import { useSyncExternalStore } from "react";

/** Below Tailwind's `md` breakpoint: lists turn from table rows into cards. */
const NARROW_SCREEN_QUERY = "(max-width: 767.98px)";

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia(NARROW_SCREEN_QUERY);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

/**
 * Whether the screen is phone-narrow. The server renders the wide layout and a
 * phone switches after hydration: one layout is in the page at a time, never
 * both with one hidden.
 */
export function useIsNarrowScreen(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(NARROW_SCREEN_QUERY).matches, () => false);
}
