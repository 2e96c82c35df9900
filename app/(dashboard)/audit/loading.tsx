import { TablePageSkeleton } from "@/components/route-loading";

export default function AuditLoading() {
  return <TablePageSkeleton label="the audit log" filters={3} />;
}
