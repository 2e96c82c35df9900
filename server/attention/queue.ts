import "server-only";
import type { Viewer } from "@/lib/accounts";
import { ATTENTION_QUEUE_LIMIT, MAX_SNOOZE_DAYS, type AttentionAction, type AttentionItemDto, type AttentionQueueDto, type AttentionStateDto } from "@/lib/attention";
import { recordAudit } from "@/server/audit/record-audit";
import { AppError } from "@/server/core/errors";
import { publishChanges } from "@/server/live/notices";
import { toSummary } from "@/server/orders/service";
import { countQueuedOrders, findOrderWithAttention, isOrderQueued, listOrdersWithAttention, listQueuedOrderUids, upsertAttention, type AttentionWrite } from "@/server/repositories/order-attention";

/*
 * The attention queue: orders in Needs attention and stuck orders, each with
 * an owner, a note, a snooze and a resolution (docs/orders.md#attention-queue).
 * Every change is audited and announced as an order change notice, so every
 * open orders page refreshes.
 */

type OrderWithAttention = NonNullable<Awaited<ReturnType<typeof findOrderWithAttention>>>;

function actorOf(viewer: Viewer): { id: string; label: string } {
  return viewer.via === "session" ? { id: viewer.userId, label: viewer.name || viewer.email } : { id: viewer.tokenId, label: `API token ${viewer.name}` };
}

function stateOf(row: OrderWithAttention, viewer: Viewer): AttentionStateDto {
  const attention = row.attention;
  return {
    ownerId: attention?.ownerId ?? null,
    ownerLabel: attention?.ownerLabel ?? null,
    isMine: attention?.ownerId != null && attention.ownerId === actorOf(viewer).id,
    claimedAt: attention?.claimedAt?.toISOString() ?? null,
    note: attention?.note ?? null,
    notedBy: attention?.notedBy ?? null,
    notedAt: attention?.notedAt?.toISOString() ?? null,
    snoozedUntil: attention?.snoozedUntil?.toISOString() ?? null,
  };
}

function itemOf(row: OrderWithAttention, viewer: Viewer, now: Date): AttentionItemDto {
  const snoozedUntil = row.attention?.snoozedUntil ?? null;
  return { order: toSummary(row, now), attention: stateOf(row, viewer), isSnoozed: snoozedUntil !== null && snoozedUntil > now };
}

async function itemsOf(uids: readonly string[], viewer: Viewer, now: Date): Promise<AttentionItemDto[]> {
  const rows = new Map((await listOrdersWithAttention(uids)).map((row) => [row.orderUid, row]));
  return uids.flatMap((uid) => {
    const row = rows.get(uid);
    return row ? [itemOf(row, viewer, now)] : [];
  });
}

/** The queue as the orders page shows it: open items (longest-waiting first) and snoozed ones, each capped. */
export async function getAttentionQueue(viewer: Viewer, now: Date = new Date()): Promise<AttentionQueueDto> {
  const [openUids, snoozedUids, openCount, snoozedCount] = await Promise.all([
    listQueuedOrderUids(now, false, ATTENTION_QUEUE_LIMIT),
    listQueuedOrderUids(now, true, ATTENTION_QUEUE_LIMIT),
    countQueuedOrders(now, false),
    countQueuedOrders(now, true),
  ]);
  const [open, snoozed] = await Promise.all([itemsOf(openUids, viewer, now), itemsOf(snoozedUids, viewer, now)]);
  return { open, snoozed, openCount, snoozedCount };
}

function changeFor(action: AttentionAction, row: OrderWithAttention, viewer: Viewer, now: Date): AttentionWrite {
  const actor = actorOf(viewer);
  switch (action.action) {
    case "claim":
      return { ownerId: actor.id, ownerLabel: actor.label, claimedAt: now };
    case "release":
      return { ownerId: null, ownerLabel: null, claimedAt: null };
    case "note":
      return action.note === null ? { note: null, notedBy: null, notedAt: null } : { note: action.note, notedBy: actor.label, notedAt: now };
    case "snooze": {
      if (action.until === null) return { snoozedUntil: null };
      const until = new Date(action.until);
      if (until <= now) throw new AppError("invalid_request", "Snooze until a time in the future.");
      if (until.getTime() - now.getTime() > MAX_SNOOZE_DAYS * 86_400_000) throw new AppError("invalid_request", `Snooze for ${MAX_SNOOZE_DAYS} days at most.`);
      return { snoozedUntil: until };
    }
    case "resolve":
      return { resolvedAt: now, resolvedBy: actor.label, resolvedStatus: row.status, resolvedStageSince: row.stageSince, snoozedUntil: null };
  }
}

/** What the audit entry records: identifiers and times, never the note's text. */
function auditDetails(action: AttentionAction, row: OrderWithAttention): Record<string, string | number | null> {
  switch (action.action) {
    case "claim":
      return { previousOwner: row.attention?.ownerId ?? null };
    case "release":
      return { previousOwner: row.attention?.ownerId ?? null };
    case "note":
      return { noteChars: action.note?.length ?? 0 };
    case "snooze":
      return { until: action.until };
    case "resolve":
      return { status: row.status, stage: row.stage };
  }
}

/**
 * Applies one queue action to an order, audits it and tells open pages.
 * Claim, snooze and resolve need the order to be in the queue (409 otherwise);
 * a note or a release works on any order that has an attention row.
 */
export async function changeAttention(orderUid: string, action: AttentionAction, viewer: Viewer, headers: Headers, now: Date = new Date()): Promise<AttentionStateDto> {
  const row = await findOrderWithAttention(orderUid);
  if (!row) throw new AppError("not_found", "No order with that uid has reached RxWatch.");
  const needsQueue = action.action === "claim" || action.action === "snooze" || action.action === "resolve";
  if (needsQueue && !(await isOrderQueued(orderUid, now))) throw new AppError("conflict", "This order does not need attention now: it is neither in Needs attention nor stuck, or it was resolved.");
  const change = changeFor(action, row, viewer, now);
  const attention = await upsertAttention(orderUid, change);
  await recordAudit({ action: `attention.${action.action}`, actor: viewer, target: { type: "order", id: orderUid }, details: auditDetails(action, row), headers });
  await publishChanges([{ kind: "order", key: orderUid }]);
  return stateOf({ ...row, attention }, viewer);
}
