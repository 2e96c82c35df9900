import "server-only";
import type { FailuresDto, IncidentAction } from "@/lib/failures";
import type { Viewer } from "@/lib/accounts";
import { AppError } from "@/server/core/errors";
import { log } from "@/server/core/logger";
import { getFailures } from "@/server/failures/scan";
import { findIncident, reopening, updateIncidentIf } from "@/server/repositories/incidents";

function actorOf(viewer: Viewer): { id: string; name: string } {
  return viewer.via === "session" ? { id: viewer.userId, name: viewer.name } : { id: `token:${viewer.tokenId}`, name: `${viewer.name} (API token)` };
}

/**
 * A person's step on a failure group's incident: acknowledge (open →
 * acknowledged: someone is on it), resolve (open or acknowledged → resolved;
 * it reopens by itself if the problem recurs) or reopen (resolved → open).
 * Throws AppError `not_found` for an unknown group and `conflict` when the
 * incident is not in a state the step applies to (someone else moved it).
 * Returns the groups as they are afterwards.
 */
export async function changeIncident(key: string, action: IncidentAction, viewer: Viewer, now: Date = new Date()): Promise<FailuresDto> {
  const incident = await findIncident(key);
  if (!incident) throw new AppError("not_found", "No failure group with that key.");
  const actor = actorOf(viewer);
  let isChanged: boolean;
  switch (action) {
    case "acknowledge":
      isChanged = await updateIncidentIf(key, ["open"], { state: "acknowledged", acknowledgedAt: now, acknowledgedById: actor.id, acknowledgedByName: actor.name });
      break;
    case "resolve":
      isChanged = await updateIncidentIf(key, ["open", "acknowledged"], { state: "resolved", resolvedAt: now, resolvedById: actor.id, resolvedByName: actor.name });
      break;
    case "reopen":
      isChanged = await updateIncidentIf(key, ["resolved"], reopening(now));
      break;
  }
  if (!isChanged) throw new AppError("conflict", `This group is ${incident.state}; it cannot be ${action === "acknowledge" ? "acknowledged" : action === "resolve" ? "resolved" : "reopened"} from there. Reload to see its current state.`);
  log("info", "failure group changed", { group: key, action, actorId: actor.id });
  return getFailures({ isFresh: true });
}
