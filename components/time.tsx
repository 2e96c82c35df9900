"use client";

import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from "react";
import { BROWSER_TIME_ZONE, formatInstant, formatRelative, SUGGESTED_TIME_ZONES, TIME_ZONE_COOKIE, toTimeZoneChoice, UTC } from "@/lib/time";
import { Field } from "@/components/ui/field";

type TimeZoneState = { choice: string; zone: string; setChoice: (choice: string) => void };

const TimeZoneContext = createContext<TimeZoneState>({ choice: UTC, zone: UTC, setChoice: () => undefined });

const subscribeNever = () => () => undefined;
/** The server cannot know the browser's zone; it renders UTC and the browser corrects it while hydrating. */
function useBrowserTimeZone(): string {
  return useSyncExternalStore(
    subscribeNever,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone || UTC,
    () => UTC,
  );
}

/**
 * Holds the viewer's zone choice (cookie `rxwatch-time-zone`; default: the
 * instance's RXWATCH_TIMEZONE, else the browser's zone) for every <Time>.
 */
export function TimeZoneProvider({ initialChoice, children }: { initialChoice: string; children: ReactNode }) {
  const [choice, setChoiceState] = useState(initialChoice);
  const browserZone = useBrowserTimeZone();
  const zone = choice === BROWSER_TIME_ZONE ? browserZone : choice;
  function setChoice(next: string) {
    setChoiceState(next);
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(next)}; path=/; max-age=31536000; samesite=lax`;
  }
  return <TimeZoneContext.Provider value={{ choice, zone, setChoice }}>{children}</TimeZoneContext.Provider>;
}

export function useTimeZone(): TimeZoneState {
  return useContext(TimeZoneContext);
}

/** A formatter bound to the viewer's zone, for text such as copied traces and descriptions. */
export function useFormatInstant(): (value: string | Date, options?: { withMilliseconds?: boolean }) => string {
  const { zone } = useTimeZone();
  return (value, options) => formatInstant(value, zone, options);
}

/**
 * An instant in the viewer's zone. `relativeTo` (a clock in ms) shows "3 min
 * ago" with the absolute time in the tooltip.
 */
export function Time({ value, relativeTo, withMilliseconds, className }: { value: string | Date; relativeTo?: number; withMilliseconds?: boolean; className?: string }) {
  const format = useFormatInstant();
  const absolute = format(value, { withMilliseconds });
  const iso = typeof value === "string" ? value : value.toISOString();
  return (
    <time dateTime={iso} title={relativeTo === undefined ? undefined : absolute} className={className}>
      {relativeTo === undefined ? absolute : formatRelative(value, relativeTo)}
    </time>
  );
}

/** The viewer's zone choice: their browser's, UTC, or a named zone. */
export function TimeZonePicker() {
  const { choice, setChoice } = useTimeZone();
  const browserZone = useBrowserTimeZone();
  const options = [BROWSER_TIME_ZONE, ...SUGGESTED_TIME_ZONES, ...(choice === BROWSER_TIME_ZONE || (SUGGESTED_TIME_ZONES as readonly string[]).includes(choice) ? [] : [choice])];
  return (
    <Field label="Time zone" fieldClassName="flex flex-col gap-1 text-sm">
      {(control) => (
        <select
          {...control}
          value={choice}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
          onChange={(event) => {
            const next = toTimeZoneChoice(event.target.value);
            if (next) setChoice(next);
          }}
        >
          {options.map((option) => (
            <option key={option} value={option}>
              {option === BROWSER_TIME_ZONE ? `Browser (${browserZone})` : option}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
