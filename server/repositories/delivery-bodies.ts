import "server-only";
import { openPayload, PayloadBoxError, sealPayload } from "@/server/crypto/payload-box";
import { AppError } from "@/server/core/errors";

/*
 * The one place delivery bodies cross between plaintext and what is stored.
 * Writers seal with sealDeliveryBody; every reader selects
 * STORED_BODY_SELECT and gets plaintext from openDeliveryBody, so nothing
 * above the repository layer ever sees a sealed body or a key id.
 */

/** The columns {@link openDeliveryBody} needs; spread into a Prisma `select`. */
export const STORED_BODY_SELECT = { id: true, body: true, bodyKeyId: true } as const;

export interface StoredBody {
  id: string;
  body: Uint8Array | null;
  /** Null with a body: written before bodies were sealed (plaintext, until `rxwatch keys rotate` seals it). */
  bodyKeyId: string | null;
}

/** The stored columns for a delivery's raw body: sealed with the current key and bound to the delivery id. */
export function sealDeliveryBody(deliveryId: string, body: Uint8Array | null): { body: Uint8Array<ArrayBuffer> | null; bodyKeyId: string | null } {
  if (body === null) return { body: null, bodyKeyId: null };
  const { sealed, keyId } = sealPayload(body, deliveryId);
  return { body: sealed, bodyKeyId: keyId };
}

/**
 * The plaintext body of a stored delivery; null when it has none (never
 * read, or purged). Throws PayloadBoxError (server/crypto/payload-box.ts)
 * when it cannot be opened: its message names the missing key id, never data.
 */
export function openDeliveryBody(row: StoredBody): Uint8Array | null {
  if (row.body === null) return null;
  if (row.bodyKeyId === null) return row.body;
  return openPayload(row.body, row.bodyKeyId, row.id);
}

/** {@link openDeliveryBody} for reads that answer a person: an unreadable body becomes an AppError with the same message. */
export function openDeliveryBodyForView(row: StoredBody): Uint8Array | null {
  try {
    return openDeliveryBody(row);
  } catch (error) {
    if (error instanceof PayloadBoxError) throw new AppError("internal", `The stored body of delivery ${row.id} cannot be opened: ${error.message}`);
    throw error;
  }
}
