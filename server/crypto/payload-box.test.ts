import { beforeEach, describe, expect, it, vi } from "vitest";

const KEY_A = "key-a-with-at-least-thirty-two-characters-0001";
const KEY_B = "key-b-with-at-least-thirty-two-characters-0002";
const keys = vi.hoisted(() => ({ current: "", previous: [] as string[] }));
vi.mock("@/server/core/secret-key", () => ({ secretKey: () => keys.current, previousSecretKeys: () => keys.previous }));

const { openPayload, PayloadBoxError, SEALED_PAYLOAD_OVERHEAD_BYTES, sealPayload } = await import("./payload-box");
const { keyRing } = await import("./key-ring");
const { patientSearchKey, patientSearchKeys } = await import("./search-key");
const { openSecret, sealSecret } = await import("./secret-box");

const BODY = Buffer.from('{"event_type":"order_created","data":{"patient_data":{"uid":"pat-1","first_name":"Alice Example"}}}', "utf8");

function failureOf(action: () => unknown): InstanceType<typeof PayloadBoxError> {
  try {
    action();
  } catch (error) {
    if (error instanceof PayloadBoxError) return error;
    throw error;
  }
  throw new Error("expected a PayloadBoxError");
}

describe("payload box", () => {
  beforeEach(() => {
    keys.current = KEY_A;
    keys.previous = [];
  });

  it("round-trips a body and stores none of it in the clear", () => {
    const { sealed, keyId } = sealPayload(BODY, "delivery-1");
    expect(keyId).toBe(keyRing().current.id);
    expect(sealed.includes(Buffer.from("Alice"))).toBe(false);
    expect(sealed.includes(Buffer.from("patient_data"))).toBe(false);
    expect(openPayload(sealed, keyId, "delivery-1")).toEqual(BODY);
  });

  it("writes version 1, a 12-byte IV, the ciphertext and a 16-byte tag", () => {
    const { sealed } = sealPayload(BODY, "delivery-1");
    expect(sealed[0]).toBe(0x01);
    expect(sealed.byteLength).toBe(BODY.byteLength + SEALED_PAYLOAD_OVERHEAD_BYTES);
    expect(SEALED_PAYLOAD_OVERHEAD_BYTES).toBe(1 + 12 + 16);
    expect(sealPayload(Buffer.alloc(0), "delivery-1").sealed.byteLength).toBe(SEALED_PAYLOAD_OVERHEAD_BYTES);
  });

  it("uses a fresh IV every time", () => {
    const first = sealPayload(BODY, "delivery-1").sealed;
    const second = sealPayload(BODY, "delivery-1").sealed;
    expect(first.subarray(1, 13).equals(second.subarray(1, 13))).toBe(false);
    expect(first.equals(second)).toBe(false);
  });

  it("refuses any altered byte: version, IV, ciphertext or tag", () => {
    const { sealed, keyId } = sealPayload(BODY, "delivery-1");
    for (const index of [1, 12, 13, 20, sealed.byteLength - 17, sealed.byteLength - 1]) {
      const altered = Buffer.from(sealed);
      altered[index] = (altered[index] ?? 0) ^ 0x01;
      expect(failureOf(() => openPayload(altered, keyId, "delivery-1")).reason).toBe("authentication_failed");
    }
    const otherVersion = Buffer.from(sealed);
    otherVersion[0] = 0x02;
    expect(failureOf(() => openPayload(otherVersion, keyId, "delivery-1")).reason).toBe("unknown_format");
    expect(failureOf(() => openPayload(sealed.subarray(0, 20), keyId, "delivery-1")).reason).toBe("unknown_format");
    expect(failureOf(() => openPayload(BODY, keyId, "delivery-1")).reason).toBe("unknown_format");
  });

  it("refuses a body moved onto another delivery (associated data)", () => {
    const { sealed, keyId } = sealPayload(BODY, "delivery-1");
    expect(failureOf(() => openPayload(sealed, keyId, "delivery-2")).reason).toBe("authentication_failed");
  });

  it("refuses a body opened with another key under its key id", () => {
    const { sealed, keyId } = sealPayload(BODY, "delivery-1");
    keys.current = KEY_B;
    keys.previous = [];
    const failure = failureOf(() => openPayload(sealed, keyId, "delivery-1"));
    expect(failure.reason).toBe("missing_key");
    expect(failure.message).toContain(keyId);
    expect(failure.message).toContain("RXWATCH_PREVIOUS_SECRET_KEYS");
    expect(failure.message).not.toContain("Alice");
    // Same id claimed, different key: the tag does not verify.
    expect(failureOf(() => openPayload(sealed, keyRing().current.id, "delivery-1")).reason).toBe("authentication_failed");
  });

  it("opens what a previous key sealed while sealing new bodies with the current key", () => {
    const old = sealPayload(BODY, "delivery-1");
    keys.current = KEY_B;
    keys.previous = [KEY_A];
    expect(openPayload(old.sealed, old.keyId, "delivery-1")).toEqual(BODY);
    const fresh = sealPayload(BODY, "delivery-2");
    expect(fresh.keyId).not.toBe(old.keyId);
    expect(openPayload(fresh.sealed, fresh.keyId, "delivery-2")).toEqual(BODY);
  });

  it("keeps payload, secret and search keys apart: one configured key, three derived keys", () => {
    const ring = keyRing();
    const derived = [ring.current.derive("payloadBox"), ring.current.derive("secretBox"), ring.current.derive("searchKey")].map((key) => key.toString("hex"));
    expect(new Set(derived).size).toBe(3);
  });
});

describe("key ring", () => {
  beforeEach(() => {
    keys.current = KEY_A;
    keys.previous = [];
  });

  it("keeps the key id secrets were sealed with before the ring existed", () => {
    // The id scheme of secret-box v1: "hkdf-" and 16 hex digits over the HKDF secret-box key.
    expect(keyRing().current.id).toMatch(/^hkdf-[0-9a-f]{16}$/);
    const sealed = sealSecret("whsec_example_only_0001", "row-1");
    keys.current = KEY_B;
    keys.previous = [KEY_A];
    expect(openSecret(sealed, "row-1")).toBe("whsec_example_only_0001");
    expect(sealSecret("x", "row-1").keyId).not.toBe(sealed.keyId);
  });

  it("lists the current key first and drops a previous key equal to it", () => {
    keys.current = KEY_B;
    keys.previous = [KEY_A, KEY_B];
    const ring = keyRing();
    expect(ring.keys.map((key) => key.isCurrent)).toEqual([true, false]);
    expect(ring.find(ring.keys[1]?.id ?? "")?.isCurrent).toBe(false);
    expect(ring.find("hkdf-0000000000000000")).toBeUndefined();
  });

  it("hashes patient uids with the current key and matches those hashed with a previous one", () => {
    const before = patientSearchKey("pat-1");
    expect(before).toMatch(/^pk1:[A-Za-z0-9_-]{43}$/);
    expect(before).not.toContain("pat-1");
    keys.current = KEY_B;
    keys.previous = [KEY_A];
    const after = patientSearchKey("pat-1");
    expect(after).not.toBe(before);
    expect(patientSearchKeys("pat-1")).toEqual([after, before]);
    expect(patientSearchKeys(" pat-1 ")).toEqual([after, before]);
  });
});
