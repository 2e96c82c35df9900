import "server-only";
import type { Viewer } from "@/lib/accounts";
import { payloadDriftEvidenceSchema } from "@/lib/drift";
import { AppError } from "@/server/core/errors";
import { payloadDrift } from "@/server/drift/detector";
import { tellProcessingThread } from "@/server/processing/start";
import { findIncident, updateIncidentIf } from "@/server/repositories/incidents";
import { deleteShapeEntry } from "@/server/repositories/payload-shapes";

function actorOf(viewer: Viewer): { id: string; name: string } {
  return viewer.via === "session" ? { id: viewer.userId, name: viewer.name } : { id: `token:${viewer.tokenId}`, name: `${viewer.name} (API token)` };
}

/**
 * Marks a payload change expected: its incident is resolved by the admin and
 * stops counting; a vanished field is dropped from the learned shape, so its
 * absence is the new normal. Idempotent. Throws AppError `not_found` for a key
 * that is no payload change.
 */
export async function markPayloadChangeExpected(key: string, viewer: Viewer, now: Date = new Date()): Promise<{ key: string; expectedAt: string }> {
  const incident = await findIncident(key);
  const parsed = incident?.kind === "payload_drift" ? payloadDriftEvidenceSchema.safeParse(JSON.parse(incident.evidence)) : null;
  if (!incident || !parsed?.success) throw new AppError("not_found", "No payload change with that key.");
  const evidence = parsed.data;
  if (evidence.expected) return { key, expectedAt: evidence.expected.at };
  const actor = actorOf(viewer);
  const expected = { at: now.toISOString(), by: actor.name };
  const isChanged = await updateIncidentIf(key, [incident.state], {
    state: "resolved",
    resolvedAt: now,
    resolvedById: actor.id,
    resolvedByName: actor.name,
    evidence: JSON.stringify({ ...evidence, expected }),
  });
  if (!isChanged) throw new AppError("conflict", "This payload change was changed by someone else meanwhile. Reload to see its current state.");
  if (evidence.change === "vanished_field") {
    const shape = { eventType: evidence.eventType, payloadVersion: evidence.payloadVersion };
    await payloadDrift().forgetField(shape, evidence.path);
    // The worker's detector learns in the processing thread: it forgets the field there too.
    tellProcessingThread({ type: "forget-drift-field", shape, path: evidence.path });
    for (const path of [evidence.path, ...evidence.nestedPaths]) await deleteShapeEntry(shape, "field", path);
  }
  return { key, expectedAt: expected.at };
}
