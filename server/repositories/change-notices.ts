import "server-only";
import { db } from "@/server/db";

export async function insertChangeNotices(notices: readonly { kind: string; key: string }[]): Promise<{ id: number; kind: string; key: string }[]> {
  const client = await db();
  const created = [];
  for (const notice of notices) created.push(await client.changeNotice.create({ data: notice, select: { id: true, kind: true, key: true } }));
  return created;
}

/** Notices after `afterId`, oldest first. */
export async function listChangeNoticesAfter(afterId: number, take: number) {
  return (await db()).changeNotice.findMany({ where: { id: { gt: afterId } }, orderBy: { id: "asc" }, take, select: { id: true, kind: true, key: true } });
}

export async function latestChangeNoticeId(): Promise<number> {
  const row = await (await db()).changeNotice.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  return row?.id ?? 0;
}

export async function deleteChangeNoticesBefore(cutoff: Date): Promise<number> {
  const { count } = await (await db()).changeNotice.deleteMany({ where: { createdAt: { lt: cutoff } } });
  return count;
}
