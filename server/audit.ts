import "server-only";
import type { Viewer } from "@/server/auth/viewer";
import { log } from "@/server/logger";

/** Actions that leave an audit record. */
export type AuditAction = "deliveries.export" | "replay.run" | "replay.cancel" | "alerts.configure";

export interface AuditRecord {
  action: AuditAction;
  actor: Viewer;
  /** Identifiers, counts and codes only: never payload or patient data. */
  details: Record<string, string | number | boolean | null>;
}

/**
 * Records who did something sensitive. Today that is one structured log line;
 * the audit table (issue 7) replaces this body, not its callers — hence async.
 */
export async function recordAudit(record: AuditRecord): Promise<void> {
  const actor = record.actor.via === "session" ? { actorType: "user", actorId: record.actor.userId } : { actorType: "api_token", actorId: record.actor.tokenId };
  log("info", "audit", { audit: record.action, ...actor, actorRole: record.actor.role, ...record.details });
}
