/**
 * One way to show an instant: "2026-12-04 14:28:35 UTC+1", 24-hour, with the
 * zone's offset, the same in every locale (support reads these aloud). The
 * zone is the viewer's choice: their browser's, UTC or a named IANA zone.
 */

/** Cookie holding the viewer's choice: "browser", "UTC" or an IANA zone name. */
export const TIME_ZONE_COOKIE = "rxwatch-time-zone";
export const BROWSER_TIME_ZONE = "browser";
export const UTC = "UTC";

/** True when the runtime knows the IANA zone (or "UTC"). */
export function isKnownTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A stored choice as one RxWatch can use: "browser", "UTC" or a known zone; anything else is null. */
export function toTimeZoneChoice(value: string | undefined | null): string | null {
  if (!value) return null;
  if (value === BROWSER_TIME_ZONE || value === UTC) return value;
  return isKnownTimeZone(value) ? value : null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "shortOffset",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** "GMT+1" → "UTC+1", "GMT" or "GMT+0" → "UTC", "GMT+5:30" → "UTC+5:30". */
function zoneLabel(shortOffset: string): string {
  return shortOffset === "GMT" || shortOffset === "GMT+0" ? UTC : shortOffset.replace(/^GMT/, "UTC");
}

/**
 * "2026-12-04 14:28:35 UTC+1" in `zone` (an IANA name or "UTC");
 * `withMilliseconds` gives "14:28:35.042" for delivery logs.
 */
export function formatInstant(value: string | Date, zone: string, { withMilliseconds = false }: { withMilliseconds?: boolean } = {}): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return "invalid time";
  const parts = Object.fromEntries(formatterFor(zone).formatToParts(date).map((part) => [part.type, part.value]));
  const fraction = withMilliseconds ? `.${String(date.getUTCMilliseconds()).padStart(3, "0")}` : "";
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}${fraction} ${zoneLabel(parts.timeZoneName ?? "GMT")}`;
}

/** "45 s", "3 min", "5 h", "2 d": a compact duration. */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 6) / 10;
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

/** "3 min ago" (or "in 3 min" for a time still to come) relative to `now`. */
export function formatRelative(value: string | Date, now: number): string {
  const at = typeof value === "string" ? Date.parse(value) : value.getTime();
  const difference = now - at;
  return difference >= 0 ? `${formatDuration(difference)} ago` : `in ${formatDuration(-difference)}`;
}

/** A few common zones offered first in the picker; any IANA name can be typed. */
export const SUGGESTED_TIME_ZONES = ["UTC", "Europe/Berlin", "Europe/London", "Europe/Vienna", "Europe/Zurich", "America/New_York", "America/Los_Angeles", "Asia/Singapore", "Australia/Sydney"] as const;
