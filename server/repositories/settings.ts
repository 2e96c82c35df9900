import "server-only";
import { db } from "@/server/core/db";

export async function findSettingRow(key: string) {
  return (await db()).setting.findUnique({ where: { key } });
}

export async function upsertSettingRow(key: string, value: string, updatedById: string | null) {
  return (await db()).setting.upsert({ where: { key }, create: { key, value, updatedById }, update: { value, updatedById } });
}

export async function deleteSettingRow(key: string): Promise<void> {
  await (await db()).setting.deleteMany({ where: { key } });
}

/** Writes `value` only if the row still holds `expected`; false when it changed (or vanished) meanwhile. */
export async function replaceSettingValue(key: string, expected: string, value: string): Promise<boolean> {
  const { count } = await (await db()).setting.updateMany({ where: { key, value: expected }, data: { value } });
  return count === 1;
}
