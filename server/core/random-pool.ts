import "server-only";
import { randomFillSync } from "node:crypto";

/*
 * A randomBytes call costs about 5 µs whatever the size asked for (a copy
 * from a filled buffer, 0.2 µs), and every stored webhook asks for a delivery
 * id, an attempt id and an IV. So random bytes for values that are public
 * once used (time-ordered ids and AES-GCM IVs, which must be unpredictable
 * and unique, not secret) come from one 4 KiB buffer filled at a time, as
 * Node.js itself does for randomUUID(). Keys, tokens and passwords still come
 * straight from randomBytes: a pool's unused bytes sit in memory until they
 * are handed out.
 */

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let nextByte = POOL_BYTES;

/** `size` (at most 4096) fresh random bytes, each handed out once. */
export function pooledRandomBytes(size: number): Buffer {
  if (!Number.isInteger(size) || size < 0 || size > POOL_BYTES) throw new RangeError(`pooledRandomBytes takes 0 to ${POOL_BYTES} bytes, not ${size}`);
  if (nextByte + size > POOL_BYTES) {
    randomFillSync(pool);
    nextByte = 0;
  }
  const bytes = Buffer.allocUnsafe(size);
  pool.copy(bytes, 0, nextByte, nextByte + size);
  nextByte += size;
  return bytes;
}
