import "server-only";
import { processSingleton } from "@/server/core/process-slot";
import { announceCacheChange } from "@/server/core/cache-changes";
import { randomUUID } from "node:crypto";
import { addSigningSecretRequestSchema, signingSecretDtoSchema, type AddSigningSecretRequest, type SigningSecretDto } from "@/lib/rxscale/signing-secrets";
import { currentSecretBoxKeyId, openSecret, resealSecret, sealSecret, SecretBoxError } from "@/server/crypto/secret-box";
import { toSignatureCandidate, type SignatureCandidate } from "@/server/crypto/webhook-signature";
import { env } from "@/server/core/env";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import {
  insertSigningSecretRow,
  listActiveSigningSecretRows,
  listSigningSecretRows,
  listSigningSecretRowsNotOnKey,
  markSigningSecretMatched,
  replaceSigningSecretCiphertext,
  retireSigningSecretRow,
} from "@/server/repositories/signing-secrets";

/*
 * The signing secrets a delivery may be signed with: RXSCALE_SIGNING_SECRETS
 * (ids "env:1", "env:2", … by position; never stored) and the active rows of
 * the settings store (encrypted at rest). Several are valid at once so a
 * secret can be rotated without losing deliveries.
 */

/**
 * How long the decrypted stored secrets are reused before the next delivery
 * reloads them. Keeps the database off the hot path; changes made through this
 * module apply at once (they invalidate), changes made by another instance
 * within this many ms.
 */
export const SIGNING_SECRET_CACHE_MS = 5_000;
/** `lastMatchedAt` is written at most this often per secret: it answers "still in use?", not "when exactly?". */
export const LAST_MATCHED_RESOLUTION_MS = 60_000;
/** Characters of the secret shown in `hint`. */
const HINT_LENGTH = 4;

export interface SignatureCandidates {
  candidates: SignatureCandidate[];
  /** False when the stored secrets could not be loaded: a mismatch then proves nothing. */
  isComplete: boolean;
}

interface CacheState {
  hasWarnedNoSecrets: boolean;
  stored: SignatureCandidate[] | null;
  loadedAt: number;
  loading: Promise<void> | null;
  /** Bumped by invalidation so a load that started earlier does not overwrite newer state. */
  generation: number;
  lastMatchWrites: Map<string, number>;
}

// One per process (see server/core/process-slot.ts): every route bundle in the process must share one cache, or
// invalidation from the settings API would miss the webhook route's copy.
const state = processSingleton<CacheState>("rxwatchSigningSecrets", () => ({ hasWarnedNoSecrets: false, stored: null, loadedAt: 0, loading: null, generation: 0, lastMatchWrites: new Map() }));

let envCandidates: SignatureCandidate[] | undefined;

function environmentCandidates(): SignatureCandidate[] {
  envCandidates ??= env().RXSCALE_SIGNING_SECRETS.map((secret, index) => toSignatureCandidate(`env:${index + 1}`, secret));
  return envCandidates;
}

async function loadStoredCandidates(): Promise<void> {
  const generation = state.generation;
  const rows = await listActiveSigningSecretRows();
  const candidates: SignatureCandidate[] = [];
  for (const row of rows) {
    try {
      candidates.push(toSignatureCandidate(row.id, openSecret(row, row.id)));
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      log("warn", "signing secret cannot be decrypted; it is ignored", { secretId: row.id, reason: error.message });
    }
  }
  if (generation !== state.generation) return;
  state.stored = candidates;
  state.loadedAt = Date.now();
}

function refresh(): Promise<void> {
  if (state.loading === null) {
    const loading = loadStoredCandidates().finally(() => {
      if (state.loading === loading) state.loading = null;
    });
    state.loading = loading;
  }
  return state.loading;
}

/**
 * The secrets to verify a delivery against. Stale stored secrets are used
 * while a reload runs in the background; only the first delivery after start
 * or after {@link invalidateSigningSecretCache} waits for the database.
 */
export async function loadSignatureCandidates(): Promise<SignatureCandidates> {
  const fromEnvironment = environmentCandidates();
  // A second pass covers an invalidation that landed while the first load ran (its result was discarded).
  for (let pass = 0; pass < 2 && state.stored === null; pass += 1) {
    try {
      await refresh();
    } catch (error) {
      log("error", "signing secrets cannot be loaded", { error: error instanceof Error ? error.name : "unknown" });
      break;
    }
  }
  if (state.stored !== null && Date.now() - state.loadedAt > SIGNING_SECRET_CACHE_MS) {
    refresh().catch((error: unknown) => log("warn", "signing secrets reload failed; using the previous set", { error: error instanceof Error ? error.name : "unknown" }));
  }
  const stored = state.stored;
  if (stored === null) return { candidates: fromEnvironment, isComplete: false };
  const candidates = [...fromEnvironment, ...stored];
  if (candidates.length === 0 && !state.hasWarnedNoSecrets) {
    state.hasWarnedNoSecrets = true;
    log("warn", "no webhook signing secret is configured: every delivery is refused with bad_signature. Set RXSCALE_SIGNING_SECRETS or add one under Settings.");
  }
  return { candidates, isComplete: true };
}

/** Forgets the cached stored secrets; the next delivery reloads them. Call after any change to the SigningSecret table. */
export function invalidateSigningSecretCache(): void {
  state.generation += 1;
  state.stored = null;
  state.loadedAt = 0;
  // A load already running read the table before the change: the next caller starts a fresh one.
  state.loading = null;
  announceCacheChange({ kind: "signing-secrets" });
}

/**
 * Records that a stored secret verified a delivery, at most once per
 * {@link LAST_MATCHED_RESOLUTION_MS} per secret and without making the
 * delivery wait. Environment secrets have no row to update.
 */
export function noteSigningSecretMatched(secretId: string, at: Date): void {
  if (secretId.startsWith("env:")) return;
  const previous = state.lastMatchWrites.get(secretId);
  if (previous !== undefined && at.getTime() - previous < LAST_MATCHED_RESOLUTION_MS) return;
  state.lastMatchWrites.set(secretId, at.getTime());
  markSigningSecretMatched(secretId, at).catch((error: unknown) => {
    state.lastMatchWrites.delete(secretId);
    log("warn", "could not record when a signing secret last matched", { secretId, error: error instanceof Error ? error.name : "unknown" });
  });
}

type SecretRow = Awaited<ReturnType<typeof listSigningSecretRows>>[number];

function toDto(row: SecretRow): SigningSecretDto {
  return signingSecretDtoSchema.parse({
    id: row.id,
    label: row.label,
    hint: `…${row.hint}`,
    subscriptionUid: row.subscriptionUid,
    createdAt: row.createdAt.toISOString(),
    lastMatchedAt: row.lastMatchedAt?.toISOString() ?? null,
    retiredAt: row.retiredAt?.toISOString() ?? null,
    isActive: row.retiredAt === null,
  });
}

/**
 * Stores a signing secret (encrypted) and makes it valid for deliveries at
 * once. The secret is never returned again: listings show its last characters.
 */
export async function addSigningSecret(input: AddSigningSecretRequest): Promise<SigningSecretDto> {
  const parsed = addSigningSecretRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError("invalid_request", "The signing secret does not have the expected shape.", {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    });
  }
  const request = parsed.data;
  const id = randomUUID();
  const sealed = sealSecret(request.secret, id);
  const row = await insertSigningSecretRow({
    id,
    label: request.label,
    ciphertext: sealed.ciphertext,
    keyId: sealed.keyId,
    hint: request.secret.slice(-HINT_LENGTH),
    subscriptionUid: request.subscriptionUid ?? null,
  });
  invalidateSigningSecretCache();
  return toDto(row);
}

/** Stored secrets, newest first, masked. Environment secrets are not listed: they are configured, not stored. */
export async function listSigningSecrets(): Promise<SigningSecretDto[]> {
  return (await listSigningSecretRows()).map(toDto);
}

/** Stops a stored secret from verifying deliveries (the row stays, for the record). Throws `not_found` when no active secret has that id. */
export async function retireSigningSecret(id: string): Promise<SigningSecretDto> {
  const row = await retireSigningSecretRow(id, new Date());
  if (!row) throw new AppError("not_found", "No active signing secret with that id.");
  invalidateSigningSecretCache();
  return toDto(row);
}

/** What re-sealing stored secrets did: how many moved to the current key, and the ids of those that could not be opened. */
export interface ResealResult {
  resealed: number;
  unreadable: string[];
}

/**
 * Re-seals every stored signing secret (retired ones included) that is on a
 * previous key with the current one. Idempotent; a secret changed meanwhile
 * is left for the next run. For `rxwatch keys rotate`.
 */
export async function resealSigningSecrets(): Promise<ResealResult> {
  const result: ResealResult = { resealed: 0, unreadable: [] };
  for (const row of await listSigningSecretRowsNotOnKey(currentSecretBoxKeyId())) {
    let sealed;
    try {
      sealed = resealSecret(row, row.id);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      result.unreadable.push(row.id);
      continue;
    }
    if (sealed && (await replaceSigningSecretCiphertext(row.id, row, sealed))) result.resealed += 1;
  }
  if (result.resealed > 0) invalidateSigningSecretCache();
  return result;
}
