import "server-only";
import { readEnvelopeLeniently, type LenientReading, type WebhookEnvelope } from "@/lib/rxscale/envelope";
import type { QuarantineCode } from "@/lib/rxscale/deliveries";
import { isIdentityEncoding, isJsonContentType } from "@/server/core/request-metadata";
import { extractSearchKeys } from "@/lib/order-facts";
import { patientSearchKey } from "@/server/crypto/search-key";
import { timeOrderedId } from "@/server/core/time-ordered-id";
import type { EventWrite } from "@/server/repositories/deliveries";

/*
 * What RxWatch makes of a body whose signature verified. An authentic
 * delivery is never refused for its shape or headers: what cannot be read is
 * quarantined (stored sealed, answered 200) with the field and rule it broke,
 * so support can re-process it once a setting or an upgrade can read it.
 * See docs/ingest.md#quarantine.
 */

export type SignedBodyReading =
  | { kind: "envelope"; json: unknown; envelope: WebhookEnvelope; dataUid: string; readings: LenientReading[] }
  | { kind: "quarantine"; reasonCode: QuarantineCode; detail: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a verified body. `headers` are the request's; pass null when
 * re-processing a stored body, where a support person has already decided that
 * the headers do not matter. The detail names a field and a rule, never a value.
 */
export function readSignedBody(bytes: Uint8Array, headers: Headers | null): SignedBodyReading {
  if (headers !== null && !isJsonContentType(headers.get("content-type"))) {
    return { kind: "quarantine", reasonCode: "unsupported_media_type", detail: "content-type: must be application/json (UTF-8)" };
  }
  if (headers !== null && !isIdentityEncoding(headers.get("content-encoding"))) {
    return { kind: "quarantine", reasonCode: "unsupported_content_encoding", detail: "content-encoding: must be identity" };
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    return { kind: "quarantine", reasonCode: "invalid_json", detail: "(body): must be UTF-8 JSON" };
  }
  const parsed = readEnvelopeLeniently(json);
  if (!parsed.ok) return { kind: "quarantine", reasonCode: "invalid_envelope", detail: `${parsed.field}: ${parsed.message}` };
  return { kind: "envelope", json, envelope: parsed.envelope, dataUid: parsed.dataUid, readings: parsed.readings };
}

/** The event a readable body carries, as ingest and a quarantine release both write it. */
export function eventWriteOf(reading: Extract<SignedBodyReading, { kind: "envelope" }>, bodySha256: string, at: Date, isKnownType: boolean): EventWrite {
  const { envelope, dataUid } = reading;
  return {
    id: timeOrderedId(at.getTime()),
    eventType: envelope.event_type,
    eventTimestamp: BigInt(envelope.timestamp),
    payloadVersion: envelope.payload_version,
    dataUid,
    bodySha256,
    isKnownType,
    searchKeys: extractSearchKeys(envelope.event_type, envelope.data, patientSearchKey),
  };
}
