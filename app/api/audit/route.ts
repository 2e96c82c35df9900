// GET /api/audit — one page of the audit log, newest first; filters as in the /audit URL (admin).
import { auditPageDtoSchema, auditQuerySchema } from "@/lib/audit";
import { listAuditEntries } from "@/server/audit/audit-entries";
import { json, withViewer } from "@/server/http/route-handler";

export const GET = withViewer("admin", async (request) => {
  const query = auditQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams.entries()));
  return json(auditPageDtoSchema, await listAuditEntries(query));
});
