import "server-only";
import type { Viewer } from "@/lib/accounts";
import { insertAuditEntry } from "@/server/repositories/audit";
import { sourceAddressOf } from "@/server/core/request-metadata";
import { timeOrderedId } from "@/server/core/time-ordered-id";
import { log } from "@/server/core/logger";

/** Every action that leaves an audit entry. Adding one here is how a new audited action starts. */
export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "auth.sign_out",
  "auth.locked_out",
  "auth.session_revoked",
  "delivery.reveal",
  "deliveries.export",
  "audit.export",
  "replay.plan",
  "replay.run",
  "replay.cancel",
  "event.reprocess",
  "quarantine.reprocess",
  "alerts.configure",
  "alerts.test",
  "incident.update",
  "drift.expected",
  "attention.claim",
  "attention.release",
  "attention.note",
  "attention.snooze",
  "attention.resolve",
  "settings.update",
  "connection.update",
  "connection.check",
  "subscription.create",
  "subscription.recreate",
  "subscription.delete",
  "subscription.test",
  "signing_secret.add",
  "signing_secret.retire",
  "user.create",
  "user.update",
  "user.disable",
  "user.enable",
  "user.password_reset_link",
  "user.password_reset",
  "token.create",
  "token.revoke",
  "retention.purge",
  "patient.forget",
  "keys.rotate",
  "reconciliation.run",
  "reconciliation.fill",
  "reconciliation.check",
  "reconciliation.cancel",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who did it: a viewer, the system (timers, CLI), or an anonymous caller named by what they typed (sign-in failures). */
export type AuditActor = Viewer | { via: "system"; name: string } | { via: "anonymous"; name: string };

export interface AuditRecord {
  action: AuditAction;
  actor: AuditActor;
  /** success (default) | failure | denied */
  outcome?: "success" | "failure" | "denied";
  target?: { type: string; id: string };
  /** The reason the person stated, for reveals, admin exports and erasure requests. */
  reason?: string;
  /** Identifiers, counts and codes only: never payload or patient data. */
  details?: Record<string, string | number | boolean | null>;
  /** The request, for the source address and user agent. */
  headers?: Headers;
}

function actorColumns(actor: AuditActor) {
  switch (actor.via) {
    case "session":
      return { actorType: "user", actorId: actor.userId, actorLabel: actor.email, actorRole: actor.role };
    case "token":
      return { actorType: "api_token", actorId: actor.tokenId, actorLabel: actor.name, actorRole: actor.role };
    case "system":
      return { actorType: "system", actorId: null, actorLabel: actor.name, actorRole: null };
    case "anonymous":
      return { actorType: "anonymous", actorId: null, actorLabel: actor.name, actorRole: null };
  }
}

const MAX_USER_AGENT_CHARS = 256;

/**
 * The names of the top-level fields that differ between two versions of a
 * settings document, comma-separated: what a settings audit entry records
 * instead of values, which may hold secrets.
 */
export function changedFields(before: unknown, after: unknown): string {
  const fields = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value });
  const old = fields(before);
  const next = fields(after);
  return [...new Set([...Object.keys(old), ...Object.keys(next)])]
    .filter((name) => JSON.stringify(old[name]) !== JSON.stringify(next[name]))
    .sort()
    .join(",");
}

/**
 * Appends one audit entry and returns its id. Awaited by callers on purpose:
 * an action that cannot be audited (database down) fails rather than happens
 * unrecorded. The application never updates or deletes these rows; only the
 * retention purge removes them, after their own period.
 */
export async function recordAudit(record: AuditRecord): Promise<string> {
  const id = timeOrderedId();
  const userAgent = record.headers?.get("user-agent") ?? null;
  const actor = actorColumns(record.actor);
  await insertAuditEntry({
    id,
    at: new Date(),
    ...actor,
    action: record.action,
    outcome: record.outcome ?? "success",
    targetType: record.target?.type ?? null,
    targetId: record.target?.id ?? null,
    reason: record.reason ?? null,
    details: JSON.stringify(record.details ?? {}),
    sourceAddress: record.headers ? sourceAddressOf(record.headers) : null,
    userAgent: userAgent === null ? null : userAgent.slice(0, MAX_USER_AGENT_CHARS),
  });
  log("info", "audit", { auditId: id, audit: record.action, outcome: record.outcome ?? "success", actorType: actor.actorType, actorId: actor.actorId });
  return id;
}
