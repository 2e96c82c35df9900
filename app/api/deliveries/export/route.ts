// GET /api/deliveries/export — the deliveries page's filtered view as a streamed, bounded, audited CSV or NDJSON download, bodies masked (support).
// POST /api/deliveries/export — the same with unmasked bodies, for a stated reason, audited before the first row (admin).
import { deliveriesExportQuerySchema, personalDataExportRequestSchema, type DeliveriesExportQuery } from "@/lib/deliveries";
import { exportDeliveries, type DeliveryExport } from "@/server/event-log";
import { readJson, withViewer } from "@/server/http";
import { DELIVERY_VIEWER_ROLE, UNMASKED_EXPORT_ROLE } from "@/server/personal-data";

function download(file: DeliveryExport, query: DeliveriesExportQuery): Response {
  return new Response(file.stream, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      // Known before the first byte; whether the limit was reached is only known at the end (see the last line).
      "x-rxwatch-export-max-rows": String(query.max),
    },
  });
}

export const GET = withViewer(DELIVERY_VIEWER_ROLE, async (request, { viewer }) => {
  const query = deliveriesExportQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams.entries()));
  return download(await exportDeliveries(query, viewer, { headers: request.headers }), query);
});

export const POST = withViewer(UNMASKED_EXPORT_ROLE, async (request, { viewer }) => {
  const { reason, filters } = await readJson(request, personalDataExportRequestSchema);
  const query = deliveriesExportQuerySchema.parse(filters);
  return download(await exportDeliveries(query, viewer, { reason, headers: request.headers }), query);
});
