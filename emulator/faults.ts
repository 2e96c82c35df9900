import type { OutgoingEvent } from "./dispatch";
import { FAULT_KINDS, mergeFaultRates, SHAPE_FAULT_KINDS, type FaultKind, type FaultRates, type PartialFaultRates } from "./config";
import { chance, type Random } from "./random";
import { signWebhookBody } from "./signature";

/*
 * Fault injection: each fault is a probability per event (out_of_order,
 * unknown_event_type) or per delivery (the others), drawn from the seeded
 * random source. What each one does is documented in docs/emulator.md.
 */

/** Faults that change how one delivery is sent. */
export interface DeliveryFaults {
  /** The first attempt is not sent; it is recorded as failed and the retry follows after the normal backoff. */
  delayedRetry: boolean;
  /** The first attempt sent carries a well-formed but wrong signature; retries are signed correctly. */
  wrongSignature: boolean;
  /** The first attempt sent carries a truncated (invalid JSON) body, correctly signed; retries send the real body. */
  malformedBody: boolean;
}

export const NO_DELIVERY_FAULTS: DeliveryFaults = { delayedRetry: false, wrongSignature: false, malformedBody: false };

/** The secret behind `wrong_signature`: a real-looking secret no subscription ever has. */
export const WRONG_SIGNING_SECRET = "whsec_emulator_wrong_secret_never_issued";

/** The signature `wrong_signature` sends: 64 lowercase hex characters, like a real one, made with the wrong key. */
export function wrongSignature(body: Uint8Array | string): string {
  return signWebhookBody(body, WRONG_SIGNING_SECRET);
}

/**
 * The body `malformed_body` sends: the first half of the JSON text. Any
 * proper prefix of a JSON object is invalid JSON (its closing brace is
 * missing), so a receiver that parses after verifying must refuse it.
 */
export function malformBody(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}

/** The field the `new_field` fault adds to `data`, and the status `new_status` sends: names no RxScale payload uses. */
export const ADDED_FIELD = "emulator_added_field";
export const NEW_STATUS = "emulator new status";
/** The field the `vanished_field` fault leaves out of `data`: every generated payload has it and RxWatch reads nothing from it. */
export const VANISHING_FIELD = "created_at";

/**
 * An event with the shape faults `isOn` says strike: a payload that differs
 * from the documented one the way a real RxScale change would. The envelope
 * faults (a numeric payload_version, a string timestamp) are sent as the raw
 * body, since the envelope builder writes the documented types.
 */
export function reshapeEvent<T extends OutgoingEvent>(event: T, isOn: (kind: (typeof SHAPE_FAULT_KINDS)[number]) => boolean): { event: T; labels: string[] } {
  const labels = SHAPE_FAULT_KINDS.filter((kind) => isOn(kind));
  if (labels.length === 0 || event.rawBody !== undefined) return { event, labels: [] };
  const data: Record<string, unknown> = { ...event.data };
  if (labels.includes("new_field")) data[ADDED_FIELD] = "added by the emulator's new_field fault";
  if (labels.includes("vanished_field")) delete data[VANISHING_FIELD];
  if (labels.includes("new_status") && typeof data.status === "string") data.status = NEW_STATUS;
  const version = event.payloadVersion ?? "1";
  const isEnvelopeChanged = labels.includes("numeric_payload_version") || labels.includes("string_timestamp");
  const rawBody = isEnvelopeChanged
    ? JSON.stringify({
        event_type: event.eventType,
        timestamp: labels.includes("string_timestamp") ? String(event.timestamp) : event.timestamp,
        payload_version: labels.includes("numeric_payload_version") && /^\d+$/.test(version) ? Number(version) : version,
        data,
      })
    : undefined;
  return { event: { ...event, data, ...(rawBody === undefined ? {} : { rawBody }) }, labels };
}

export class FaultInjector {
  private current: FaultRates;

  constructor(
    rates: FaultRates,
    private readonly random: Random,
  ) {
    this.current = { ...rates };
  }

  get rates(): FaultRates {
    return { ...this.current };
  }

  /** Replaces the rates `patch` names; the others stay. */
  update(patch: PartialFaultRates): FaultRates {
    this.current = mergeFaultRates(this.current, patch);
    return this.rates;
  }

  replace(rates: FaultRates): FaultRates {
    this.current = { ...rates };
    return this.rates;
  }

  /** Draws whether `kind` strikes now. */
  roll(kind: FaultKind): boolean {
    return chance(this.random, this.current[kind]);
  }

  /** Draws the per-delivery faults for one delivery. */
  rollDelivery(): DeliveryFaults {
    return { delayedRetry: this.roll("delayed_retry"), wrongSignature: this.roll("wrong_signature"), malformedBody: this.roll("malformed_body") };
  }

  /** Applies the shape faults drawn for one event. */
  reshape<T extends OutgoingEvent>(event: T): { event: T; labels: string[] } {
    return reshapeEvent(event, (kind) => this.roll(kind));
  }

  get isAnyOn(): boolean {
    return FAULT_KINDS.some((kind) => this.current[kind] > 0);
  }
}
