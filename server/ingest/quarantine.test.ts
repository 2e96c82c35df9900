import { describe, expect, it } from "vitest";
import { readSignedBody } from "./quarantine";

const encode = (text: string) => new TextEncoder().encode(text);
const json = (headers: Record<string, string> = {}) => new Headers({ "content-type": "application/json", ...headers });
const envelope = { event_type: "pharmacy_order_updated", timestamp: 1735725600, payload_version: "1", data: { uid: "po-1", patient: { first_name: "Erika" } } };

describe("readSignedBody", () => {
  it("reads a documented envelope", () => {
    expect(readSignedBody(encode(JSON.stringify(envelope)), json())).toMatchObject({ kind: "envelope", dataUid: "po-1", readings: [] });
  });

  it("quarantines a missing or foreign content type, naming the header and its rule", () => {
    expect(readSignedBody(encode(JSON.stringify(envelope)), new Headers())).toEqual({ kind: "quarantine", reasonCode: "unsupported_media_type", detail: "content-type: must be application/json (UTF-8)" });
    expect(readSignedBody(encode(JSON.stringify(envelope)), json({ "content-type": "text/plain" }))).toMatchObject({ kind: "quarantine", reasonCode: "unsupported_media_type" });
  });

  it("quarantines a compressed body", () => {
    expect(readSignedBody(encode("x"), json({ "content-encoding": "gzip" }))).toMatchObject({ kind: "quarantine", reasonCode: "unsupported_content_encoding" });
  });

  it("quarantines a body that is not JSON", () => {
    expect(readSignedBody(encode("{not json"), json())).toMatchObject({ kind: "quarantine", reasonCode: "invalid_json", detail: "(body): must be UTF-8 JSON" });
  });

  it("quarantines an envelope it cannot read, naming field and rule but never the value", () => {
    const reading = readSignedBody(encode(JSON.stringify({ ...envelope, event_type: { name: "Erika" } })), json());
    expect(reading).toMatchObject({ kind: "quarantine", reasonCode: "invalid_envelope", detail: "event_type: must be a string" });
    expect(JSON.stringify(reading)).not.toContain("Erika");
  });

  it("ignores the headers when re-processing a stored body", () => {
    expect(readSignedBody(encode(JSON.stringify(envelope)), null)).toMatchObject({ kind: "envelope" });
  });
});
