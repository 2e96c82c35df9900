import "server-only";
import { db } from "@/server/db";

export async function findSettingRow(key: string) {
  return (await db()).setting.findUnique({ where: { key } });
}

export async function upsertSettingRow(key: string, value: string, updatedById: string | null) {
  return (await db()).setting.upsert({ where: { key }, create: { key, value, updatedById }, update: { value, updatedById } });
}

export async function deleteSettingRow(key: string): Promise<void> {
  await (await db()).setting.deleteMany({ where: { key } });
}
