import { afterAll, describe, expect, it, vi } from "vitest";
import { createDb } from "@/server/core/db";
import { AppError } from "@/server/core/errors";
import { addSigningSecret, invalidateSigningSecretCache, listSigningSecrets, loadSignatureCandidates, retireSigningSecret } from "@/server/signing-secrets/signing-secrets";
import { verifyWebhookSignature } from "@/server/crypto/webhook-signature";
import { sign } from "../fixtures/rxscale-webhooks";
import { testProvider } from "../support/test-database";

/*
 * The server API behind the (later) signing-secret settings: secrets are
 * stored encrypted, listed masked, retired rather than deleted, and every
 * change is visible to the webhook verifier at once.
 */

vi.hoisted(() => {
  process.env.RXSCALE_SIGNING_SECRETS = "whsec_from_environment_01";
});

const client = createDb(process.env.DATABASE_URL ?? "");

afterAll(async () => {
  await client.$disconnect();
});

function matchedBy(body: string, secret: string, candidates: Awaited<ReturnType<typeof loadSignatureCandidates>>["candidates"]) {
  return verifyWebhookSignature(new TextEncoder().encode(body), sign(body, secret), candidates);
}

describe(`signing secrets on ${testProvider()}`, () => {
  it("stores a secret encrypted, never in the clear, with the key id and a 4-character hint", async () => {
    const secret = "whsec_stored_secret_abcd";
    const added = await addSigningSecret({ label: "Pharmacy orders", secret, subscriptionUid: "sub-demo-1" });
    expect(added).toMatchObject({ label: "Pharmacy orders", hint: "…abcd", subscriptionUid: "sub-demo-1", isActive: true, lastMatchedAt: null, retiredAt: null });
    expect(JSON.stringify(added)).not.toContain(secret);

    const row = await client.signingSecret.findUnique({ where: { id: added.id } });
    expect(row?.ciphertext).toBeTruthy();
    expect(row?.ciphertext).not.toContain(secret);
    expect(row?.ciphertext).not.toContain("stored_secret");
    expect(row?.keyId).toMatch(/^hkdf-[0-9a-f]{16}$/);
    expect(row?.hint).toBe("abcd");
  });

  it("lists stored secrets masked, newest first, and never the environment's", async () => {
    const older = await addSigningSecret({ label: "older", secret: "whsec_listing_secret_1111" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = await addSigningSecret({ label: "newer", secret: "whsec_listing_secret_2222" });
    const listed = await listSigningSecrets();
    const ids = listed.map((secret) => secret.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    const text = JSON.stringify(listed);
    expect(text).not.toContain("whsec_listing_secret");
    expect(text).not.toContain("whsec_from_environment_01");
  });

  it("makes an added secret verify deliveries at once, and a retired one stop at once", async () => {
    const body = '{"event_type":"pharmacy_order_created","timestamp":1,"payload_version":"1","data":{}}';
    const secret = "whsec_rotation_secret_3333";
    await loadSignatureCandidates();
    const added = await addSigningSecret({ label: "rotation", secret });
    expect(matchedBy(body, secret, (await loadSignatureCandidates()).candidates)).toEqual({ kind: "match", secretId: added.id });
    expect(matchedBy(body, "whsec_from_environment_01", (await loadSignatureCandidates()).candidates)).toEqual({ kind: "match", secretId: "env:1" });

    const retired = await retireSigningSecret(added.id);
    expect(retired).toMatchObject({ isActive: false, retiredAt: expect.any(String) });
    expect(matchedBy(body, secret, (await loadSignatureCandidates()).candidates)).toEqual({ kind: "mismatch" });
    expect((await client.signingSecret.findUnique({ where: { id: added.id } }))?.retiredAt).not.toBeNull();
  });

  it("refuses to retire a secret twice or one that does not exist", async () => {
    const added = await addSigningSecret({ label: "once", secret: "whsec_retire_once_4444" });
    await retireSigningSecret(added.id);
    await expect(retireSigningSecret(added.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(retireSigningSecret("no-such-id")).rejects.toBeInstanceOf(AppError);
  });

  it("refuses a malformed secret with invalid_request", async () => {
    await expect(addSigningSecret({ label: "", secret: "whsec_x" })).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("skips, with a warning, a stored secret that no longer decrypts instead of failing every delivery", async () => {
    const warnings = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const broken = await addSigningSecret({ label: "broken", secret: "whsec_will_break_5555" });
    const healthy = await addSigningSecret({ label: "healthy", secret: "whsec_still_fine_6666" });
    await client.signingSecret.update({ where: { id: broken.id }, data: { keyId: "hkdf-0000000000000000" } });
    invalidateSigningSecretCache();

    const { candidates, isComplete } = await loadSignatureCandidates();
    expect(isComplete).toBe(true);
    expect(candidates.map((candidate) => candidate.id)).toContain(healthy.id);
    expect(candidates.map((candidate) => candidate.id)).not.toContain(broken.id);
    expect(warnings.mock.calls.flat().join(" ")).toContain(broken.id);
    expect(warnings.mock.calls.flat().join(" ")).not.toContain("whsec_will_break_5555");
    warnings.mockRestore();
  });
});
