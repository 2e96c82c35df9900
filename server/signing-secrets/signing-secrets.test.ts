import { beforeEach, describe, expect, it, vi } from "vitest";

/*
 * The candidate cache under races the integration tests cannot stage: loads
 * that are still running when the secrets change.
 */

const rows = vi.hoisted(() => ({ pending: [] as ((value: { id: string; ciphertext: string; keyId: string }[]) => void)[] }));

vi.mock("@/server/core/env", () => ({ env: () => ({ RXSCALE_SIGNING_SECRETS: ["whsec_env"], LOG_LEVEL: "error" }) }));
vi.mock("@/server/crypto/secret-box", () => ({
  SecretBoxError: class extends Error {},
  openSecret: (sealed: { ciphertext: string }) => sealed.ciphertext,
  sealSecret: () => ({ ciphertext: "", keyId: "" }),
}));
vi.mock("@/server/repositories/signing-secrets", () => ({
  listActiveSigningSecretRows: () => new Promise((resolve) => rows.pending.push(resolve)),
  insertSigningSecretRow: vi.fn(),
  listSigningSecretRows: vi.fn(),
  markSigningSecretMatched: vi.fn(async () => {}),
  retireSigningSecretRow: vi.fn(),
}));

const { invalidateSigningSecretCache, loadSignatureCandidates } = await import("./signing-secrets");

async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
}

describe("signing secret candidates", () => {
  beforeEach(() => {
    rows.pending.length = 0;
    invalidateSigningSecretCache();
  });

  it("does not hand out a set read before a change that happened while it loaded", async () => {
    const beforeChange = loadSignatureCandidates();
    await settle();
    expect(rows.pending).toHaveLength(1);

    invalidateSigningSecretCache();
    const afterChange = loadSignatureCandidates();
    await settle();
    expect(rows.pending).toHaveLength(2);

    rows.pending[0]?.([{ id: "old", ciphertext: "whsec_old", keyId: "k" }]);
    rows.pending[1]?.([{ id: "new", ciphertext: "whsec_new", keyId: "k" }]);
    await settle();
    // The stale load was discarded; whoever waited on it loads again and gets the new set.
    while (rows.pending.length > 2) rows.pending.splice(2).forEach((resolve) => resolve([{ id: "new", ciphertext: "whsec_new", keyId: "k" }]));

    for (const result of [await beforeChange, await afterChange]) {
      expect(result.isComplete).toBe(true);
      expect(result.candidates.map((candidate) => candidate.id)).toEqual(["env:1", "new"]);
    }
  });

  it("loads once for many concurrent callers", async () => {
    const callers = Array.from({ length: 10 }, () => loadSignatureCandidates());
    await settle();
    expect(rows.pending).toHaveLength(1);
    rows.pending[0]?.([]);
    const results = await Promise.all(callers);
    expect(results.every((result) => result.isComplete && result.candidates.length === 1)).toBe(true);
  });
});
