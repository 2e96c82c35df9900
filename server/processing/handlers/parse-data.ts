import "server-only";
import type { z } from "zod";
import type { InboxEvent } from "@/server/processing/event";
import { invalidPayloadError } from "@/server/processing/errors";

/** Parses `event.data` with `schema`, or throws a permanent `invalid_payload` error naming the fields (never their values). */
export function parseEventData<T extends z.ZodType>(event: InboxEvent, schema: T): z.infer<T> {
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) throw invalidPayloadError(parsed.error.issues);
  return parsed.data;
}
