// GET /api/deliveries/export — the deliveries page's filtered view as a streamed, bounded, audited CSV or NDJSON download, bodies masked (support).
// POST /api/deliveries/export — the same with unmasked bodies, for a stated reason, audited before the first row (admin).
import { deliveriesExportQuerySchema, personalDataExportRequestSchema, type DeliveriesExportQuery } from "@/lib/deliveries";
import { exportDeliveries, type DeliveryExport } from "@/server/deliveries/service";
import { downloadResponse } from "@/server/core/download";
import { parseQuery, readJson, withViewer } from "@/server/http/route-handler";
import { DELIVERY_VIEWER_ROLE, UNMASKED_EXPORT_ROLE } from "@/server/deliveries/reveal";

function download(file: DeliveryExport, query: DeliveriesExportQuery): Response {
  // Known before the first byte; whether the limit was reached is only known at the end (see the last line).
  return downloadResponse(file, { "x-rxwatch-export-max-rows": String(query.max) });
}

export const GET = withViewer(DELIVERY_VIEWER_ROLE, async (request, { viewer }) => {
  const query = parseQuery(request, deliveriesExportQuerySchema);
  return download(await exportDeliveries(query, viewer, { headers: request.headers }), query);
});

export const POST = withViewer(UNMASKED_EXPORT_ROLE, async (request, { viewer }) => {
  const { reason, filters } = await readJson(request, personalDataExportRequestSchema);
  const query = deliveriesExportQuerySchema.parse(filters);
  return download(await exportDeliveries(query, viewer, { reason, headers: request.headers }), query);
});
