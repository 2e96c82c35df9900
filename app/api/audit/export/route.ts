// GET /api/audit/export — the audit log's filtered view as a streamed CSV or NDJSON download; itself audited (admin).
import { auditExportQuerySchema } from "@/lib/audit";
import { exportAuditEntries } from "@/server/audit/audit-entries";
import { downloadResponse } from "@/server/core/download";
import { parseQuery, withViewer } from "@/server/http/route-handler";

export const GET = withViewer("admin", async (request, { viewer }) => {
  const query = parseQuery(request, auditExportQuerySchema);
  const file = await exportAuditEntries(query, viewer, request.headers);
  return downloadResponse(file);
});
