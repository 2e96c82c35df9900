import "server-only";

/*
 * Per-process state kept on globalThis. Next's dev server re-evaluates
 * modules on reload and a production build can bundle one module into both
 * the instrumentation and the route chunks; pools, timers, caches and
 * in-flight work must still exist once per process. A worker thread has a
 * globalThis of its own, so the processing thread has slots of its own: its
 * caches hear of the main thread's changes through cache-changes.ts.
 */

const SLOTS = Symbol.for("rxwatch.process-slots");
type GlobalWithSlots = typeof globalThis & { [SLOTS]?: Map<string, { value: unknown }> };

/** A named slot shared by every copy of a module in this process; empty until set. */
export function processSlot<T>(name: string): { value: T | undefined } {
  const holder = globalThis as GlobalWithSlots;
  const slots = (holder[SLOTS] ??= new Map());
  let slot = slots.get(name);
  if (!slot) {
    slot = { value: undefined };
    slots.set(name, slot);
  }
  // Only this function creates slots, and each name is used with one type.
  return slot as { value: T | undefined };
}

/** The value of slot `name`, created by `create` on first use in this process. */
export function processSingleton<T>(name: string, create: () => T): T {
  const slot = processSlot<T>(name);
  slot.value ??= create();
  return slot.value;
}
