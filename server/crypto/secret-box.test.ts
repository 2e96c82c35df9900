import { beforeEach, describe, expect, it, vi } from "vitest";

const secretKey = vi.hoisted(() => ({ value: "first-secret-key-with-at-least-32-characters" }));
vi.mock("@/server/core/secret-key", () => ({ secretKey: () => secretKey.value, previousSecretKeys: () => [] }));

const { SecretBoxError, currentSecretBoxKeyId, openSecret, sealSecret } = await import("./secret-box");

describe("secret box", () => {
  beforeEach(() => {
    secretKey.value = "first-secret-key-with-at-least-32-characters";
  });

  it("round-trips a secret and never stores it in the clear", () => {
    const sealed = sealSecret("whsec_example_only_0001", "row-1");
    expect(sealed.ciphertext).not.toContain("whsec");
    expect(sealed.keyId).toBe(currentSecretBoxKeyId());
    expect(openSecret(sealed, "row-1")).toBe("whsec_example_only_0001");
  });

  it("uses a fresh IV every time", () => {
    expect(sealSecret("same", "row-1").ciphertext).not.toBe(sealSecret("same", "row-1").ciphertext);
  });

  it("refuses a ciphertext moved onto another record", () => {
    const sealed = sealSecret("whsec_example_only_0001", "row-1");
    expect(() => openSecret(sealed, "row-2")).toThrow(SecretBoxError);
  });

  it("refuses a tampered ciphertext", () => {
    const sealed = sealSecret("whsec_example_only_0001", "row-1");
    const parts = sealed.ciphertext.split(".");
    const body = Buffer.from(parts[3] ?? "", "base64url");
    body[0] = (body[0] ?? 0) ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => openSecret({ ...sealed, ciphertext: parts.join(".") }, "row-1")).toThrow(SecretBoxError);
    expect(() => openSecret({ ...sealed, ciphertext: "v1.garbage" }, "row-1")).toThrow(SecretBoxError);
  });

  it("says so when RXWATCH_SECRET_KEY changed since sealing", () => {
    const sealed = sealSecret("whsec_example_only_0001", "row-1");
    secretKey.value = "another-secret-key-with-at-least-32-characters";
    expect(currentSecretBoxKeyId()).not.toBe(sealed.keyId);
    expect(() => openSecret(sealed, "row-1")).toThrow(/secret key was changed/);
  });
});
