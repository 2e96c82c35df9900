// GET /api/audit — one page of the audit log, newest first; filters as in the /audit URL (admin).
import { auditPageDtoSchema, auditQuerySchema } from "@/lib/audit";
import { listAuditEntries } from "@/server/audit/audit-entries";
import { json, parseQuery, withViewer } from "@/server/http/route-handler";

export const GET = withViewer("admin", async (request) => {
  const query = parseQuery(request, auditQuerySchema);
  return json(auditPageDtoSchema, await listAuditEntries(query));
});
