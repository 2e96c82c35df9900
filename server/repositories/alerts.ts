import "server-only";
import { db } from "@/server/core/db";

/*
 * Alert rule states and the notification log. A rule's transition between
 * ok and firing is a compare-and-set, so instances evaluating at the same
 * moment notify once between them.
 */

/** Creates the rule's state as `ok` if it has none yet. */
export async function ensureAlertState(rule: string, now: Date): Promise<void> {
  const client = await db();
  if (await client.alertState.findUnique({ where: { rule }, select: { rule: true } })) return;
  try {
    await client.alertState.create({ data: { rule, state: "ok", since: now, lastEvaluatedAt: now } });
  } catch (error) {
    if (!(typeof error === "object" && error !== null && "code" in error && error.code === "P2002")) throw error;
  }
}

export async function listAlertStates() {
  return (await db()).alertState.findMany({ orderBy: { rule: "asc" } });
}

/** Moves `rule` from `from` to `to`; true only for the one caller that made the change. */
export async function transitionAlertState(rule: string, from: "ok" | "firing", to: "ok" | "firing", now: Date, value: number | null): Promise<boolean> {
  const { count } = await (await db()).alertState.updateMany({ where: { rule, state: from }, data: { state: to, since: now, value, lastEvaluatedAt: now } });
  return count === 1;
}

export async function touchAlertState(rule: string, now: Date, value: number | null): Promise<void> {
  await (await db()).alertState.updateMany({ where: { rule }, data: { value, lastEvaluatedAt: now } });
}

export interface NotificationWrite {
  id: string;
  rule: string;
  kind: string;
  channel: string;
  outcome: string;
  error: string | null;
  text: string;
  createdAt: Date;
}

export async function insertAlertNotification(notification: NotificationWrite): Promise<void> {
  await (await db()).alertNotification.create({ data: notification });
}

export async function listAlertNotifications(take: number) {
  return (await db()).alertNotification.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
}

export async function deleteAlertNotificationsBefore(before: Date): Promise<number> {
  const { count } = await (await db()).alertNotification.deleteMany({ where: { createdAt: { lt: before } } });
  return count;
}
