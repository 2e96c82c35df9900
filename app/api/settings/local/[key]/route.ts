// GET|PUT /api/settings/local/:key — RxWatch's own settings: event names, status appearance, retention, stuck thresholds (admin).
import { keyParamsSchema } from "@/lib/route-params";
import { z } from "zod";
import { SETTINGS } from "@/lib/settings";
import { changedFields, recordAudit } from "@/server/audit/record-audit";
import { AppError } from "@/server/core/errors";
import { readJson, withViewer } from "@/server/http/route-handler";
import { recomputeStuckDeadlines } from "@/server/orders/order-projector";
import { getSettings, updateSettings } from "@/server/settings/settings";

const EDITABLE = ["eventNames", "statusAppearance", "retention", "stuckThresholds"] as const;
const keySchema = z.enum(EDITABLE);

function parseKey(value: string) {
  const parsed = keySchema.safeParse(value);
  if (!parsed.success) throw new AppError("not_found", `No editable settings named "${value}".`);
  return parsed.data;
}

export const GET = withViewer("admin", keyParamsSchema, async (_request, { params }) => {
  const key = parseKey(params.key);
  return Response.json(SETTINGS[key].parse(await getSettings(key)), { headers: { "cache-control": "no-store" } });
});

export const PUT = withViewer("admin", keyParamsSchema, async (request, { viewer, params }) => {
  const key = parseKey(params.key);
  const body = await readJson(request, z.unknown());
  const before = await getSettings(key);
  const saved = await updateSettings(key, body, viewer.via === "session" ? viewer.userId : null);
  await recordAudit({ action: "settings.update", actor: viewer, target: { type: "settings", id: key }, details: { changed: changedFields(before, saved) }, headers: request.headers });
  if (key === "stuckThresholds") await recomputeStuckDeadlines();
  return Response.json(saved, { headers: { "cache-control": "no-store" } });
});
