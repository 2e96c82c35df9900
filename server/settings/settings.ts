import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { SETTINGS, type SettingsKey, type SettingsValue } from "@/lib/settings";
import { announceCacheChange } from "@/server/core/cache-changes";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { findSettingRow, upsertSettingRow } from "@/server/repositories/settings";

/** Settings change rarely and are read on hot paths; every instance re-reads after this long. */
const CACHE_MS = 5_000;
// One per process (see server/core/process-slot.ts): route bundles and the worker started from instrumentation load this module separately, and a
// change saved through one must reach the others at once (a replay right after renaming an event relies on it). The processing thread's
// copy is its own (a thread has its own globals); it hears of each change through server/core/cache-changes.ts.
const cache = processSingleton<Map<SettingsKey, { value: unknown; readAt: number }>>("rxwatchSettingsCache", () => new Map());

function defaults<K extends SettingsKey>(key: K): SettingsValue<K> {
  // Documents with a top-level default parse `undefined`; objects fill their fields from `{}`.
  const fromNothing = SETTINGS[key].safeParse(undefined);
  return (fromNothing.success ? fromNothing.data : SETTINGS[key].parse({})) as SettingsValue<K>;
}

/**
 * The current value of a settings document, with defaults for anything unset.
 * A stored value that no longer validates is logged and replaced by defaults,
 * so an old or hand-edited row cannot take a page down.
 */
export async function getSettings<K extends SettingsKey>(key: K): Promise<SettingsValue<K>> {
  const cached = cache.get(key);
  if (cached && Date.now() - cached.readAt < CACHE_MS) return cached.value as SettingsValue<K>;
  const row = await findSettingRow(key);
  let value: SettingsValue<K> = defaults(key);
  if (row) {
    let stored: unknown;
    try {
      stored = JSON.parse(row.value);
    } catch {
      stored = undefined;
    }
    const parsed = SETTINGS[key].safeParse(stored);
    if (parsed.success) value = parsed.data as SettingsValue<K>;
    else log("warn", "stored settings invalid, using defaults", { key });
  }
  cache.set(key, { value, readAt: Date.now() });
  return value;
}

/** Drops cached values, so the next read goes to the database (tests; after a bulk import). */
export function forgetCachedSettings(): void {
  cache.clear();
}

/** Drops one cached document (another thread changed it: server/core/cache-changes.ts). */
export function forgetCachedSetting(key: SettingsKey): void {
  cache.delete(key);
}

/** Validates and stores a settings document; returns what was stored. */
export async function updateSettings<K extends SettingsKey>(key: K, input: unknown, updatedById: string | null): Promise<SettingsValue<K>> {
  const parsed = SETTINGS[key].safeParse(input);
  if (!parsed.success) {
    throw new AppError("invalid_request", "These settings are not valid.", {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    });
  }
  await upsertSettingRow(key, JSON.stringify(parsed.data), updatedById);
  forgetCachedSetting(key);
  announceCacheChange({ kind: "settings", key });
  return parsed.data as SettingsValue<K>;
}
