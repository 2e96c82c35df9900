import "server-only";
import { patientUidOfBody } from "@/lib/order-facts";
import { recordAudit } from "@/server/audit/record-audit";
import { keyRing } from "@/server/crypto/key-ring";
import { PayloadBoxError } from "@/server/crypto/payload-box";
import { patientSearchKey, patientSearchKeys } from "@/server/crypto/search-key";
import { SecretBoxError } from "@/server/crypto/secret-box";
import { resealSmtpPassword, smtpPasswordSealingKeyId } from "@/server/alerts/smtp-password";
import { resealSigningSecrets } from "@/server/signing-secrets/signing-secrets";
import { log } from "@/server/core/logger";
import { openDeliveryBody, sealDeliveryBody } from "@/server/repositories/delivery-bodies";
import { applyResealBatch, countStoredBodiesByKey, listBodiesToReseal, type PatientKeyChange, type ResealedBody } from "@/server/repositories/key-rotation";
import { countSigningSecretsByKey } from "@/server/repositories/signing-secrets";
import { apiKeySealingKeyId, resealApiKey } from "@/server/subscriptions/api-key";

// `rxwatch keys rotate`: moves everything sealed or hashed with a previous key (or
// never sealed) onto RXWATCH_SECRET_KEY. Safe while instances run, resumable and
// idempotent: every write is conditional on the row still being what was read.
// See docs/data-protection.md#rotating-the-key

/** Rows per batch (each batch is one transaction) unless `--batch` says otherwise. */
export const DEFAULT_ROTATION_BATCH = 500;

export interface KeyUse {
  /** null: bodies stored in plaintext before bodies were sealed. */
  keyId: string | null;
  state: "current" | "previous" | "missing" | "plaintext";
  bodies: number;
  secrets: number;
}

function stateOf(keyId: string | null): KeyUse["state"] {
  if (keyId === null) return "plaintext";
  const key = keyRing().find(keyId);
  return key === undefined ? "missing" : key.isCurrent ? "current" : "previous";
}

/** Stored delivery bodies and secrets (signing secrets, API key, SMTP password) per key id, for `rxwatch keys status`. Configured keys nothing uses are listed with zero. */
export async function keyStatus(): Promise<KeyUse[]> {
  const uses = new Map<string | null, KeyUse>();
  const entryOf = (keyId: string | null) => {
    let entry = uses.get(keyId);
    if (!entry) {
      entry = { keyId, state: stateOf(keyId), bodies: 0, secrets: 0 };
      uses.set(keyId, entry);
    }
    return entry;
  };
  for (const key of keyRing().keys) entryOf(key.id);
  for (const { keyId, count } of await countStoredBodiesByKey()) entryOf(keyId).bodies += count;
  for (const { keyId, count } of await countSigningSecretsByKey()) entryOf(keyId).secrets += count;
  for (const keyId of [await apiKeySealingKeyId(), await smtpPasswordSealingKeyId()]) if (keyId !== null) entryOf(keyId).secrets += 1;
  return [...uses.values()];
}

export interface RotationProgress {
  bodiesSealed: number;
  /** Of bodiesSealed: plaintext bodies written before bodies were sealed. */
  legacyBodiesSealed: number;
  patientKeysUpdated: number;
  /** Bodies that failed authentication (altered): left as they are, by id in the log. */
  unreadableBodies: number;
  batches: number;
}

export interface RotationResult extends RotationProgress {
  currentKeyId: string;
  /** Key ids rows are sealed with that no configured key has, with their row counts: those rows were skipped. */
  missingKeys: { keyId: string; bodies: number }[];
  secretsResealed: number;
  unreadableSecrets: number;
}

/** Previous-key hashes of `patientUid` paired with its current-key hash. */
function patientKeyChanges(patientUid: string): PatientKeyChange[] {
  const [to, ...previous] = patientSearchKeys(patientUid);
  if (to === undefined) return [];
  return previous.flatMap((from) => (from === to ? [] : [{ from, to }]));
}

async function resealSettingSecret(name: string, reseal: () => Promise<"absent" | "current" | "resealed">): Promise<{ resealed: number; unreadable: number }> {
  try {
    return { resealed: (await reseal()) === "resealed" ? 1 : 0, unreadable: 0 };
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    log("warn", "a stored secret cannot be opened; left as it is", { secret: name, reason: error.message });
    return { resealed: 0, unreadable: 1 };
  }
}

/**
 * Re-seals every delivery body and stored secret that is not on the current
 * key, `batchSize` bodies per transaction, and re-hashes the patient search
 * keys of the patients those bodies name in events, facts, orders and
 * deliveries. Rows on a key that is not configured are counted in
 * `missingKeys` and skipped. Records a `keys.rotate` audit entry with the counts.
 */
export async function rotateKeys(options: { batchSize?: number; onProgress?: (progress: RotationProgress) => void } = {}): Promise<RotationResult> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_ROTATION_BATCH));
  const ring = keyRing();
  const currentKeyId = ring.current.id;
  const missingKeys = (await countStoredBodiesByKey()).flatMap(({ keyId, count }) => (keyId !== null && !ring.find(keyId) ? [{ keyId, bodies: count }] : []));
  const skipped = missingKeys.map((entry) => entry.keyId);
  const progress: RotationProgress = { bodiesSealed: 0, legacyBodiesSealed: 0, patientKeysUpdated: 0, unreadableBodies: 0, batches: 0 };

  let afterId: string | null = null;
  for (;;) {
    const rows = await listBodiesToReseal(currentKeyId, skipped, afterId, batchSize);
    if (rows.length === 0) break;
    afterId = rows[rows.length - 1]?.id ?? afterId;
    const bodies: ResealedBody[] = [];
    const changes = new Map<string, string>();
    for (const row of rows) {
      let plaintext: Uint8Array | null;
      try {
        plaintext = openDeliveryBody(row);
      } catch (error) {
        if (!(error instanceof PayloadBoxError)) throw error;
        progress.unreadableBodies += 1;
        log("warn", "a delivery body cannot be opened; left as it is", { deliveryId: row.id, reason: error.reason });
        continue;
      }
      if (plaintext === null) continue;
      const sealed = sealDeliveryBody(row.id, plaintext);
      if (sealed.body === null || sealed.bodyKeyId === null) continue;
      const patientUid = patientUidOfBody(plaintext);
      bodies.push({ id: row.id, previousKeyId: row.bodyKeyId, body: sealed.body, bodyKeyId: sealed.bodyKeyId, patientKey: patientUid === null ? null : patientSearchKey(patientUid) });
      if (patientUid !== null) for (const change of patientKeyChanges(patientUid)) changes.set(change.from, change.to);
    }
    const written = await applyResealBatch(bodies, [...changes].map(([from, to]) => ({ from, to })));
    progress.bodiesSealed += written.bodies;
    progress.legacyBodiesSealed += written.legacyBodies;
    progress.patientKeysUpdated += written.patientKeys;
    progress.batches += 1;
    options.onProgress?.({ ...progress });
  }

  const signing = await resealSigningSecrets();
  const apiKey = await resealSettingSecret("rxscale.apiKey", resealApiKey);
  const smtp = await resealSettingSecret("alerts.smtpPassword", resealSmtpPassword);
  const result: RotationResult = {
    ...progress,
    currentKeyId,
    missingKeys,
    secretsResealed: signing.resealed + apiKey.resealed + smtp.resealed,
    unreadableSecrets: signing.unreadable.length + apiKey.unreadable + smtp.unreadable,
  };
  await recordAudit({
    action: "keys.rotate",
    actor: { via: "system", name: "cli" },
    outcome: missingKeys.length > 0 || result.unreadableBodies > 0 || result.unreadableSecrets > 0 ? "failure" : "success",
    details: {
      currentKeyId,
      bodiesSealed: result.bodiesSealed,
      legacyBodiesSealed: result.legacyBodiesSealed,
      patientKeysUpdated: result.patientKeysUpdated,
      unreadableBodies: result.unreadableBodies,
      secretsResealed: result.secretsResealed,
      unreadableSecrets: result.unreadableSecrets,
      missingKeyIds: skipped.join(",") || null,
      batches: result.batches,
    },
  });
  return result;
}
