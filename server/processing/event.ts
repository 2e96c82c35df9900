import "server-only";
import { z } from "zod";
import type { ClaimedEvent } from "@/server/repositories/inbox";
import { ProcessingError } from "@/server/processing/errors";

/** An event as handlers see it: the envelope, parsed from the stored raw body. */
export interface InboxEvent {
  id: string;
  /** Wire name, e.g. `pharmacy_order_updated`. */
  type: string;
  /** Envelope `timestamp`, in Unix seconds. */
  timestamp: number;
  payloadVersion: string;
  /** Envelope `data`, unvalidated: each handler parses what it needs. */
  data: Record<string, unknown>;
  /** The whole envelope as stored, for the drift detector's shape (absent on events built by hand). */
  envelope?: Record<string, unknown>;
  firstReceivedAt: Date;
}

/** What a handler may know about the run besides the event. */
export interface HandlerContext {
  /** This run's number, 1-based; counts from 1 again after a re-process. */
  attempt: number;
  workerId: string;
  /** The worker's clock; handlers use it instead of `new Date()` so tests can drive time. */
  now: () => Date;
}

/**
 * Handles one event type. Must be idempotent: an event can run more than once
 * (retry, lease expiry, re-process). Throw ProcessingError for known failures;
 * anything thrown is retried with backoff.
 */
export type EventHandler = (event: InboxEvent, context: HandlerContext) => Promise<void>;

// Ingest validated the full envelope before storing; here only `data` is read back.
const storedBodySchema = z.looseObject({ data: z.record(z.string(), z.unknown()) });

/** Builds the handler's view of a claimed event from its row and raw body. */
export function toInboxEvent(claimed: ClaimedEvent): InboxEvent {
  // Retried, not dead-lettered: the operator can configure the missing key and the next attempt opens it.
  if (claimed.bodyError !== null) throw new ProcessingError("unreadable_body", claimed.bodyError, { isPermanent: false });
  if (!claimed.body) throw new ProcessingError("missing_body", "no delivery of this event kept its body", { isPermanent: true });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(claimed.body));
  } catch {
    // The parser's message quotes the body: keep it out of the record.
    throw new ProcessingError("invalid_body", "the stored body is not UTF-8 JSON", { isPermanent: true });
  }
  const envelope = storedBodySchema.safeParse(parsed);
  if (!envelope.success) throw new ProcessingError("invalid_body", "the stored body has no `data` object", { isPermanent: true });
  return {
    id: claimed.id,
    type: claimed.eventType,
    timestamp: Number(claimed.eventTimestamp),
    payloadVersion: claimed.payloadVersion,
    data: envelope.data.data,
    envelope: envelope.data,
    firstReceivedAt: claimed.firstReceivedAt,
  };
}

/**
 * A "send test event" delivery: RxScale's test endpoint (and the emulator)
 * sends the subscription's event type with `data.test = true` and no real
 * order. It proves the wire works; there is nothing to project.
 */
export function isTestDelivery(event: InboxEvent): boolean {
  return event.data.test === true;
}
