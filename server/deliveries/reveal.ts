import "server-only";
import { hasRole, type Role } from "@/lib/roles";
import { recordAudit } from "@/server/audit/record-audit";
import type { Viewer } from "@/lib/accounts";
import { env } from "@/server/core/env";
import { AppError } from "@/server/core/errors";
import { timeOrderedId } from "@/server/core/time-ordered-id";
import { findDeliveryLogRows } from "@/server/repositories/delivery-queries";
import { findActiveRevealGrant, insertRevealGrant } from "@/server/repositories/reveal-grants";

// Who may see patient data in webhook bodies (issue 7): staff never; support and admin
// masked, or one delivery unmasked with a reason for RXWATCH_REVEAL_MINUTES, audited;
// only admin exports unmasked bodies (with a reason, audited first).
// See docs/data-protection.md#who-sees-what

/** The least role that may open deliveries (list, detail, export), masked. */
export const DELIVERY_VIEWER_ROLE: Role = "support";
/** The least role that may reveal one delivery's personal data. */
export const REVEAL_ROLE: Role = "support";
/** The least role that may export unmasked bodies (with a reason). */
export const UNMASKED_EXPORT_ROLE: Role = "admin";

export function canRevealPersonalData(role: Role): boolean {
  return hasRole(role, REVEAL_ROLE);
}

function grantActor(viewer: Viewer): { actorType: "user" | "api_token"; actorId: string } {
  return viewer.via === "session" ? { actorType: "user", actorId: viewer.userId } : { actorType: "api_token", actorId: viewer.tokenId };
}

/** When the viewer's reveal of the delivery ends, or null when they hold none in force at `now`. */
export async function findRevealExpiry(viewer: Viewer, deliveryId: string, now: Date): Promise<Date | null> {
  if (!canRevealPersonalData(viewer.role)) return null;
  const { actorType, actorId } = grantActor(viewer);
  return (await findActiveRevealGrant(actorType, actorId, deliveryId, now))?.expiresAt ?? null;
}

/**
 * Lets the viewer see one delivery's personal data for RXWATCH_REVEAL_MINUTES
 * from `now`. The audit entry (with the reason) is written first and awaited:
 * a reveal that cannot be audited does not happen. Throws AppError
 * `forbidden` below REVEAL_ROLE and `not_found` for an unknown delivery.
 */
export async function revealDelivery(deliveryId: string, viewer: Viewer, reason: string, headers: Headers | undefined, now: Date = new Date()): Promise<{ expiresAt: Date }> {
  if (!canRevealPersonalData(viewer.role)) throw new AppError("forbidden", `Revealing personal data needs the ${REVEAL_ROLE} role.`);
  const [delivery] = await findDeliveryLogRows([deliveryId]);
  if (!delivery) throw new AppError("not_found", "No delivery with that id.");
  const expiresAt = new Date(now.getTime() + env().RXWATCH_REVEAL_MINUTES * 60_000);
  await recordAudit({ action: "delivery.reveal", actor: viewer, target: { type: "delivery", id: deliveryId }, reason, details: { expiresAt: expiresAt.toISOString(), eventId: delivery.event?.id ?? null }, headers });
  await insertRevealGrant({ id: timeOrderedId(now.getTime()), deliveryId, ...grantActor(viewer), reason, createdAt: now, expiresAt });
  return { expiresAt };
}
