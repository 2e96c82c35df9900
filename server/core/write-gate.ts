import "server-only";

/*
 * SQLite lets one connection write at a time, and a connection that finds the
 * write lock taken waits inside the driver: better-sqlite3 is synchronous, so
 * that wait blocks the whole event loop of the thread that asked. The
 * processing thread (server/processing/processing-thread.ts) has a connection
 * of its own, so without coordination a webhook's commit on the main thread
 * could stall every request behind a batch the worker is recording.
 *
 * The write gate is a first-come, first-served ticket lock in shared memory,
 * taken before a transaction or write starts and given back after it ends. A
 * thread waits for it with Atomics.waitAsync, which never blocks its event
 * loop, so a writer reaches SQLite only when no other thread is writing.
 */

/** Int32 slots of the shared buffer. */
const NEXT_TICKET = 0;
const NOW_SERVING = 1;
/** Non-zero once the gate is closed: a thread that shared it is gone, and every wait ends. */
const CLOSED = 2;
const SLOT_COUNT = 3;
/** A wait re-checks this often, so a lost wake-up (or a close) costs at most this much. */
const RECHECK_MS = 250;

export interface WriteGate {
  /** Shared with the other thread through `workerData`. */
  readonly buffer: SharedArrayBuffer;
  /** Waits (without blocking the event loop) for this caller's turn; resolves with the function that ends it. */
  acquire(): Promise<() => void>;
  /** Ends every wait and lets every later caller straight through: the other thread is gone. */
  close(): void;
}

export function createWriteGate(buffer: SharedArrayBuffer = new SharedArrayBuffer(SLOT_COUNT * Int32Array.BYTES_PER_ELEMENT)): WriteGate {
  const slots = new Int32Array(buffer);
  const isClosed = () => Atomics.load(slots, CLOSED) !== 0;
  return {
    buffer,
    async acquire() {
      if (isClosed()) return () => undefined;
      // Int32 wrap-around is harmless: tickets are only compared for equality, in the order they were drawn.
      const ticket = Atomics.add(slots, NEXT_TICKET, 1);
      for (;;) {
        const serving = Atomics.load(slots, NOW_SERVING);
        if (serving === ticket || isClosed()) break;
        const wait = Atomics.waitAsync(slots, NOW_SERVING, serving, RECHECK_MS);
        if (wait.async) await wait.value;
      }
      let isReleased = false;
      return () => {
        if (isReleased || isClosed()) return;
        isReleased = true;
        Atomics.add(slots, NOW_SERVING, 1);
        Atomics.notify(slots, NOW_SERVING);
      };
    },
    close() {
      Atomics.store(slots, CLOSED, 1);
      Atomics.notify(slots, NOW_SERVING);
    },
  };
}
