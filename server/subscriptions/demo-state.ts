import "server-only";
import { z } from "zod";
import { deleteSettingRow, findSettingRow, upsertSettingRow } from "@/server/repositories/settings";

/*
 * Whether this instance runs in demo mode (RxWatch's built-in emulator stands
 * in for RxScale). Stored so the settings page and banner can tell, and so
 * connecting the real RxScale ends it for good.
 */

const DEMO_SETTING = "demo.state";
const demoStateSchema = z.object({ emulatorUrl: z.string(), startedAt: z.string() });

export async function isDemoActive(): Promise<boolean> {
  return (await findSettingRow(DEMO_SETTING)) !== null;
}

export async function demoState(): Promise<z.infer<typeof demoStateSchema> | null> {
  const row = await findSettingRow(DEMO_SETTING);
  if (!row) return null;
  const parsed = demoStateSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : null;
}

export async function enterDemoMode(emulatorUrl: string): Promise<void> {
  await upsertSettingRow(DEMO_SETTING, JSON.stringify({ emulatorUrl, startedAt: new Date().toISOString() }), null);
}

export async function leaveDemoMode(): Promise<void> {
  await deleteSettingRow(DEMO_SETTING);
}
