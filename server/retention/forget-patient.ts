import "server-only";
import { setImmediate as nextTurn } from "node:timers/promises";
import { totalRemoved, type ForgetPatientCounts } from "@/lib/data-protection";
import { recordAudit, type AuditActor } from "@/server/audit/record-audit";
import { patientSearchKeys } from "@/server/crypto/search-key";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { summarizeError } from "@/server/processing/errors";
import { finishPurgeRun, forgetDeliveries, insertPurgeRun, listPatientDeliveryIds, unlinkPatient } from "@/server/repositories/retention";
import { PURGE_BATCH_SIZE } from "@/server/retention/purge";

/*
 * An erasure request ("forget patient", GDPR art. 17): every stored body
 * that mentions the patient is removed, and the patient's keyed hash is
 * cleared from deliveries, events, order facts and orders, so nothing in the
 * database leads back to the patient. Orders keep their progress summary
 * (stage, status, timeline), which holds no personal data. The uid itself is
 * never stored, logged or returned; the audit entry names the keyed hash.
 */

export interface ForgetPatientResult {
  runId: string;
  auditId: string;
  removed: ForgetPatientCounts;
  isNothingFound: boolean;
}

/** Every keyed hash the patient's uid may be stored under: one per key in the ring, so rows not yet re-hashed by a rotation are found. */
function patientKeysOf(patientUid: string): string[] {
  return patientSearchKeys(patientUid);
}

/**
 * Forgets one patient. `reason` is the erasure request's reference, kept in the audit entry. A second request
 * for the same patient finds nothing and says so (isNothingFound); it is audited too.
 */
export async function forgetPatient(
  request: { patientUid: string; reason: string },
  actor: AuditActor,
  options: { now?: Date; headers?: Headers } = {},
): Promise<ForgetPatientResult> {
  const patientUid = request.patientUid.trim();
  if (!patientUid) throw new AppError("invalid_request", "Enter the patient uid.");
  const now = options.now ?? new Date();
  const keys = patientKeysOf(patientUid);
  const [primaryKey] = keys;
  if (!primaryKey) throw new AppError("internal", "No search key is configured.");
  const actorId = actor.via === "session" ? actor.userId : actor.via === "token" ? actor.tokenId : null;
  const runId = await insertPurgeRun({ trigger: "forget_patient", startedAt: now, actorId });
  const removed: ForgetPatientCounts = { bodies: 0, deliveries: 0, events: 0, orderFacts: 0, orders: 0, revealGrants: 0 };
  const target = { type: "patient", id: primaryKey };
  const finishedAt = () => new Date(Math.max(Date.now(), now.getTime()));
  try {
    // Deliveries first, matched through their own hash or their event's: clearing the events' hashes first
    // would lose the second path if the request failed half-way.
    let afterId: string | null = null;
    for (;;) {
      const ids = await listPatientDeliveryIds(keys, afterId, PURGE_BATCH_SIZE);
      if (ids.length === 0) break;
      const batch = await forgetDeliveries(ids, now);
      removed.bodies += batch.bodies;
      removed.deliveries += batch.deliveries;
      removed.revealGrants += batch.revealGrants;
      afterId = ids[ids.length - 1] ?? null;
      await nextTurn();
    }
    Object.assign(removed, await unlinkPatient(keys));
  } catch (error) {
    const reason = error instanceof AppError ? `${error.code}: ${error.message}` : summarizeError(error);
    log("error", "forget patient failed", { runId, error: reason });
    const auditId = await recordAudit({ action: "patient.forget", actor, outcome: "failure", target, reason: request.reason, details: { runId, ...removed, error: reason }, headers: options.headers }).catch(
      () => null,
    );
    await finishPurgeRun(runId, { state: "failed", finishedAt: finishedAt(), removed: { ...removed }, auditId, error: reason }).catch(() => undefined);
    throw error;
  }
  const isNothingFound = totalRemoved(removed) === 0;
  const auditId = await recordAudit({ action: "patient.forget", actor, target, reason: request.reason, details: { runId, ...removed, isNothingFound }, headers: options.headers });
  await finishPurgeRun(runId, { state: "completed", finishedAt: finishedAt(), removed: { ...removed }, auditId, error: null });
  log("info", "patient forgotten", { runId, auditId, ...removed, isNothingFound });
  return { runId, auditId, removed, isNothingFound };
}
