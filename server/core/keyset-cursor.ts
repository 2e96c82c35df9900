import "server-only";
import { z } from "zod";
import { AppError } from "@/server/core/errors";

/** A position in a newest-first list: the row's time and an id that breaks ties between equal times. */
export interface KeysetPosition {
  at: Date;
  id: string;
}

/** Longer than any id RxWatch or RxScale makes; a cursor past it was not made here. */
const MAX_CURSOR_ID_CHARS = 256;
const cursorSchema = z.object({ t: z.iso.datetime(), i: z.string().min(1).max(MAX_CURSOR_ID_CHARS) });

/** The opaque `cursor` a page hands back for the next one. */
export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ t: position.at.toISOString(), i: position.id })).toString("base64url");
}

/**
 * Reads a cursor made by {@link encodeKeysetCursor}. Anything else (edited,
 * truncated, from another list's future format) is the caller's mistake: an
 * `invalid_request` whose message says where to start over.
 */
export function decodeKeysetCursor(value: string, startOver: string): KeysetPosition {
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    return { at: new Date(parsed.t), id: parsed.i };
  } catch {
    throw new AppError("invalid_request", `The page cursor is not valid; ${startOver}.`);
  }
}
