// GET /api/deliveries/export — the event log's filtered view as a streamed, bounded, audited CSV or NDJSON download (support).
import { deliveriesExportQuerySchema } from "@/lib/deliveries";
import { exportDeliveries } from "@/server/event-log";
import { withViewer } from "@/server/http";

export const GET = withViewer("support", async (request, { viewer }) => {
  const query = deliveriesExportQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams.entries()));
  const file = exportDeliveries(query, viewer);
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
});
