import "server-only";
import { db } from "@/server/core/db";

/*
 * Reveal grants: one person's (or token's) time-limited permission to see one
 * delivery's personal data unmasked. Created with an audit entry by
 * server/deliveries/reveal.ts; expired rows are left for the retention purge.
 */

export interface RevealGrantWrite {
  id: string;
  deliveryId: string;
  /** user | api_token */
  actorType: "user" | "api_token";
  actorId: string;
  reason: string;
  createdAt: Date;
  expiresAt: Date;
}

export async function insertRevealGrant(grant: RevealGrantWrite): Promise<void> {
  await (await db()).revealGrant.create({ data: grant });
}

/** The actor's grant for the delivery that lasts longest past `now`; null when none is in force (served by the actor/delivery/expiry index). */
export async function findActiveRevealGrant(actorType: string, actorId: string, deliveryId: string, now: Date) {
  return (await db()).revealGrant.findFirst({
    where: { actorId, actorType, deliveryId, expiresAt: { gt: now } },
    orderBy: { expiresAt: "desc" },
    select: { id: true, expiresAt: true },
  });
}
